package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	kafka "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// kafka-go has PLAIN and SCRAM mechanisms and takes a client certificate in its TLS config; it has no
// OAUTHBEARER mechanism. Its group reader retries errors and only logs them, so the consumer reports the
// first Kafka error it logs.
var kafkaGoAuth = authClient{
	unsupported: func(mechanism string) string {
		if mechanism == "OAUTHBEARER" {
			return "kafka-go has no OAUTHBEARER mechanism"
		}
		return ""
	},
	produce:   kgAuthProduce,
	consume:   kgAuthConsume,
	errorName: kgErrorName,
}

func kgAuthScenario(ctx context.Context, o opts) outcome { return runAuth(ctx, o, kafkaGoAuth) }

func kgMechanism(c authConn) (sasl.Mechanism, error) {
	switch c.mechanism {
	case "SCRAM-SHA-512":
		return scram.Mechanism(scram.SHA512, c.user, c.password)
	case "SCRAM-SHA-256":
		return scram.Mechanism(scram.SHA256, c.user, c.password)
	case "PLAIN":
		return plain.Mechanism{Username: c.user, Password: c.password}, nil
	}
	return nil, nil
}

func kgAuthProduce(ctx context.Context, c authConn, topic string, values []string) error {
	mech, err := kgMechanism(c)
	if err != nil {
		return err
	}
	w := &kafka.Writer{Addr: kafka.TCP(c.addr), Topic: topic, BatchTimeout: 20 * time.Millisecond, RequiredAcks: kafka.RequireAll,
		MaxAttempts: 2, Transport: &kafka.Transport{TLS: c.tls, SASL: mech, ClientID: "kpg-compat-kafka-go"}}
	defer w.Close()
	msgs := make([]kafka.Message, 0, len(values))
	for _, v := range values {
		msgs = append(msgs, kafka.Message{Value: []byte(v)})
	}
	return w.WriteMessages(ctx, msgs...)
}

// kafkaErrorLog keeps the first Kafka error the reader logs.
type kafkaErrorLog struct {
	mu    sync.Mutex
	first error
}

func (l *kafkaErrorLog) Printf(_ string, args ...interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range args {
		var ke kafka.Error
		if err, ok := a.(error); ok && l.first == nil && errors.As(err, &ke) {
			l.first = err
		}
	}
}

func (l *kafkaErrorLog) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.first
}

func kgAuthConsume(ctx context.Context, c authConn, topic, group string, want []string) error {
	mech, err := kgMechanism(c)
	if err != nil {
		return err
	}
	logged := &kafkaErrorLog{}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{c.addr}, Topic: topic, GroupID: group, StartOffset: kafka.FirstOffset,
		MaxWait: 500 * time.Millisecond, ErrorLogger: logged,
		Dialer: &kafka.Dialer{ClientID: "kpg-compat-kafka-go", Timeout: 10 * time.Second, DualStack: true, TLS: c.tls, SASLMechanism: mech}})
	defer r.Close()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { // the reader retries a Kafka error forever: end the read when one is logged
		for t := time.NewTicker(100 * time.Millisecond); cctx.Err() == nil; <-t.C {
			if logged.err() != nil {
				cancel()
			}
		}
	}()
	seen := map[string]bool{}
	for len(seen) < len(want) {
		m, err := r.FetchMessage(cctx)
		if err != nil {
			if le := logged.err(); le != nil {
				return le
			}
			return fmt.Errorf("consumed %d of %d: %w", len(seen), len(want), err)
		}
		if contains(want, string(m.Value)) {
			seen[string(m.Value)] = true
		}
	}
	return nil
}

// kgErrorName names the Kafka error behind a kafka-go error (a kafka.Error, possibly in a WriteErrors list).
func kgErrorName(err error) string {
	var we kafka.WriteErrors
	if errors.As(err, &we) {
		for _, e := range we {
			if e != nil {
				err = e
				break
			}
		}
	}
	var ke kafka.Error
	if errors.As(err, &ke) {
		// kafka-go's titles are Kafka's error names in words: "Topic Authorization Failed".
		return strings.ToUpper(strings.ReplaceAll(ke.Title(), " ", "_"))
	}
	return err.Error()
}
