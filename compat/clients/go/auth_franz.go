package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// franz-go has every mechanism of the scenario in its sasl packages, and takes a client certificate in its TLS config.
var franzAuth = authClient{
	unsupported: func(string) string { return "" },
	produce:     franzAuthProduce,
	consume:     franzAuthConsume,
	errorName:   kafkaErrorName,
}

func franzAuthScenario(ctx context.Context, o opts) outcome { return runAuth(ctx, o, franzAuth) }

func franzAuthClient(c authConn, extra ...kgo.Opt) (*kgo.Client, error) {
	opts := []kgo.Opt{kgo.SeedBrokers(c.addr), kgo.ClientID("kpg-compat-franz-go"), kgo.DialTLSConfig(c.tls),
		kgo.RequestRetries(2), kgo.RecordDeliveryTimeout(20 * time.Second)}
	switch c.mechanism {
	case "SCRAM-SHA-512":
		opts = append(opts, kgo.SASL(scram.Auth{User: c.user, Pass: c.password}.AsSha512Mechanism()))
	case "SCRAM-SHA-256":
		opts = append(opts, kgo.SASL(scram.Auth{User: c.user, Pass: c.password}.AsSha256Mechanism()))
	case "PLAIN":
		opts = append(opts, kgo.SASL(plain.Auth{User: c.user, Pass: c.password}.AsMechanism()))
	case "OAUTHBEARER":
		opts = append(opts, kgo.SASL(oauth.Auth{Token: c.token}.AsMechanism()))
	}
	return kgo.NewClient(append(opts, extra...)...)
}

func franzAuthProduce(ctx context.Context, c authConn, topic string, values []string) error {
	cl, err := franzAuthClient(c)
	if err != nil {
		return err
	}
	defer cl.Close()
	recs := make([]*kgo.Record, 0, len(values))
	for _, v := range values {
		recs = append(recs, &kgo.Record{Topic: topic, Value: []byte(v)})
	}
	return cl.ProduceSync(ctx, recs...).FirstErr()
}

func franzAuthConsume(ctx context.Context, c authConn, topic, group string, want []string) error {
	cl, err := franzAuthClient(c, kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit(), kgo.FetchMaxWait(500*time.Millisecond))
	if err != nil {
		return err
	}
	defer cl.Close()
	seen := map[string]bool{}
	for len(seen) < len(want) {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return fmt.Errorf("consumed %d of %d: %w", len(seen), len(want), ctx.Err())
		}
		if errs := fs.Errors(); len(errs) > 0 {
			return errs[0].Err
		}
		fs.EachRecord(func(r *kgo.Record) {
			if contains(want, string(r.Value)) {
				seen[string(r.Value)] = true
			}
		})
	}
	return nil
}

// kafkaErrorName names the Kafka error code behind err (franz-go's kerr errors carry it; the Kafka-speaking
// Go clients here also wrap them so).
func kafkaErrorName(err error) string {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Message
	}
	return err.Error()
}
