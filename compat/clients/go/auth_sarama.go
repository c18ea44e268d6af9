package main

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

// Sarama speaks SCRAM through a client implementation it is given (xdg-go/scram here, as Sarama's own
// example does), OAUTHBEARER through an AccessTokenProvider, and takes a client certificate in its TLS config.
var saramaAuth = authClient{
	unsupported: func(string) string { return "" },
	produce:     saramaAuthProduce,
	consume:     saramaAuthConsume,
	errorName:   saramaErrorName,
}

func saramaAuthScenario(ctx context.Context, o opts) outcome { return runAuth(ctx, o, saramaAuth) }

type xdgSCRAMClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func (x *xdgSCRAMClient) Begin(user, password, authzID string) error {
	client, err := x.hash.NewClient(user, password, authzID)
	if err != nil {
		return err
	}
	x.conv = client.NewConversation()
	return nil
}
func (x *xdgSCRAMClient) Step(challenge string) (string, error) { return x.conv.Step(challenge) }
func (x *xdgSCRAMClient) Done() bool                            { return x.conv.Done() }

type staticToken string

func (t staticToken) Token() (*sarama.AccessToken, error) {
	return &sarama.AccessToken{Token: string(t)}, nil
}

func saramaAuthConfig(c authConn) *sarama.Config {
	cfg := saramaConfig()
	cfg.Net.TLS.Enable = true
	cfg.Net.TLS.Config = c.tls
	cfg.Net.DialTimeout = 10 * time.Second
	cfg.Metadata.Retry.Max = 1
	cfg.Producer.Retry.Max = 1
	cfg.Producer.Partitioner = sarama.NewRandomPartitioner
	cfg.Consumer.Return.Errors = true
	if c.mechanism == "" {
		return cfg
	}
	cfg.Net.SASL.Enable = true
	cfg.Net.SASL.User, cfg.Net.SASL.Password = c.user, c.password
	switch c.mechanism {
	case "SCRAM-SHA-512":
		cfg.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
		cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &xdgSCRAMClient{hash: scram.HashGeneratorFcn(sha512.New)} }
	case "SCRAM-SHA-256":
		cfg.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA256
		cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &xdgSCRAMClient{hash: scram.HashGeneratorFcn(sha256.New)} }
	case "PLAIN":
		cfg.Net.SASL.Mechanism = sarama.SASLTypePlaintext
	case "OAUTHBEARER":
		cfg.Net.SASL.Mechanism = sarama.SASLTypeOAuth
		cfg.Net.SASL.TokenProvider = staticToken(c.token)
	}
	return cfg
}

func saramaAuthProduce(ctx context.Context, c authConn, topic string, values []string) error {
	p, err := sarama.NewSyncProducer([]string{c.addr}, saramaAuthConfig(c))
	if err != nil {
		return err
	}
	defer p.Close()
	msgs := make([]*sarama.ProducerMessage, 0, len(values))
	for _, v := range values {
		msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(v)})
	}
	return p.SendMessages(msgs)
}

type saramaAuthHandler struct {
	want []string
	seen map[string]bool
	done chan struct{}
}

func (h *saramaAuthHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *saramaAuthHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *saramaAuthHandler) ConsumeClaim(_ sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		if contains(h.want, string(m.Value)) && !h.seen[string(m.Value)] {
			h.seen[string(m.Value)] = true
			if len(h.seen) == len(h.want) {
				close(h.done)
			}
		}
	}
	return nil
}

func saramaAuthConsume(ctx context.Context, c authConn, topic, group string, want []string) error {
	g, err := sarama.NewConsumerGroup([]string{c.addr}, group, saramaAuthConfig(c))
	if err != nil {
		return err
	}
	defer g.Close()
	h := &saramaAuthHandler{want: want, seen: map[string]bool{}, done: make(chan struct{})}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	consumeErr := make(chan error, 1)
	go func() {
		for cctx.Err() == nil {
			if err := g.Consume(cctx, []string{topic}, h); err != nil {
				consumeErr <- err
				return
			}
		}
	}()
	select {
	case <-h.done:
		return nil
	case err := <-consumeErr:
		return err
	case err := <-g.Errors():
		return err
	case <-ctx.Done():
		return fmt.Errorf("consumed %d of %d: %w", len(h.seen), len(want), ctx.Err())
	}
}

// saramaErrorName names the Kafka error behind a Sarama error (a KError, possibly wrapped or in a ProducerErrors list).
func saramaErrorName(err error) string {
	var pes sarama.ProducerErrors
	if errors.As(err, &pes) && len(pes) > 0 {
		err = pes[0].Err
	}
	// Sarama wraps broker errors in sentinel errors that errors.Is sees through but errors.As does not.
	names := map[sarama.KError]string{
		sarama.ErrTopicAuthorizationFailed:   "TOPIC_AUTHORIZATION_FAILED",
		sarama.ErrGroupAuthorizationFailed:   "GROUP_AUTHORIZATION_FAILED",
		sarama.ErrClusterAuthorizationFailed: "CLUSTER_AUTHORIZATION_FAILED",
		sarama.ErrSASLAuthenticationFailed:   "SASL_AUTHENTICATION_FAILED",
		sarama.ErrIllegalSASLState:           "ILLEGAL_SASL_STATE",
		sarama.ErrUnsupportedSASLMechanism:   "UNSUPPORTED_SASL_MECHANISM",
	}
	for ke, n := range names {
		if errors.Is(err, ke) {
			return n
		}
	}
	var ke sarama.KError
	if errors.As(err, &ke) {
		return fmt.Sprintf("Kafka error %d (%v)", int16(ke), ke)
	}
	return err.Error()
}
