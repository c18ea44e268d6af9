package main

// The auth scenario (compat/README.md), the same for every Go client: per mode (SCRAM-SHA-512, SCRAM-SHA-256,
// PLAIN, OAUTHBEARER over SASL_SSL, mTLS over SSL) alice produces 3 records to the topic and consumes them
// back in the group, and producing to the denied topic fails with TOPIC_AUTHORIZATION_FAILED; then alice with
// a wrong SCRAM-SHA-512 password gets the authentication error and bob consuming the topic an authorization
// error. Each client supplies how it connects, produces, consumes and names a Kafka error.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

// securityFile is the JSON file the runner passes with --security.
type securityFile struct {
	SaslSsl        string            `json:"saslSsl"`
	Ssl            string            `json:"ssl"`
	CaFile         string            `json:"caFile"`
	ClientCertFile string            `json:"clientCertFile"`
	ClientKeyFile  string            `json:"clientKeyFile"`
	Users          map[string]string `json:"users"`
	OauthTokens    map[string]string `json:"oauthTokens"`
	Topic          string            `json:"topic"`
	DeniedTopic    string            `json:"deniedTopic"`
	Group          string            `json:"group"`
}

// authConn is how a client connects in one mode: the listener, its TLS settings and the SASL credentials
// (mechanism "" on the SSL listener, where the client certificate is the identity).
type authConn struct {
	addr      string
	tls       *tls.Config
	mechanism string
	user      string
	password  string
	token     string
}

type authMode struct {
	name string
	as   func(user, password string) authConn
}

type authClient struct {
	// unsupported names why a mechanism cannot be expressed with this client, "" when it can.
	unsupported func(mechanism string) string
	produce     func(ctx context.Context, c authConn, topic string, values []string) error
	consume     func(ctx context.Context, c authConn, topic, group string, want []string) error
	// errorName is the Kafka error name (TOPIC_AUTHORIZATION_FAILED, ...) behind err, or err's text.
	errorName func(err error) string
}

func loadSecurity(path string) (*securityFile, []authMode, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var sec securityFile
	if err := json.Unmarshal(b, &sec); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	ca, err := os.ReadFile(sec.CaFile)
	if err != nil {
		return nil, nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca) {
		return nil, nil, fmt.Errorf("no certificate in %s", sec.CaFile)
	}
	cert, err := tls.LoadX509KeyPair(sec.ClientCertFile, sec.ClientKeyFile)
	if err != nil {
		return nil, nil, err
	}
	serverOnly := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	withCert := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	sasl := func(mechanism string) func(user, password string) authConn {
		return func(user, password string) authConn {
			if password == "" {
				password = sec.Users[user]
			}
			return authConn{addr: sec.SaslSsl, tls: serverOnly.Clone(), mechanism: mechanism, user: user, password: password, token: sec.OauthTokens[user]}
		}
	}
	modes := []authMode{
		{"SCRAM-SHA-512", sasl("SCRAM-SHA-512")},
		{"SCRAM-SHA-256", sasl("SCRAM-SHA-256")},
		{"PLAIN", sasl("PLAIN")},
		{"OAUTHBEARER", sasl("OAUTHBEARER")},
		{"mTLS", func(string, string) authConn { return authConn{addr: sec.Ssl, tls: withCert.Clone()} }},
	}
	return &sec, modes, nil
}

// expectKafkaError runs step and checks that it fails with one of the wanted Kafka errors.
func expectKafkaError(ctx context.Context, cl authClient, what string, want []string, step func(ctx context.Context) error) (string, error) {
	sctx, cancel := context.WithTimeout(ctx, 40*time.Second)
	defer cancel()
	t0 := time.Now()
	err := step(sctx)
	fmt.Fprintf(os.Stderr, "%s: %v after %s\n", what, err, time.Since(t0).Round(time.Millisecond))
	if err == nil {
		return "", fmt.Errorf("%s: succeeded, want %s", what, strings.Join(want, " or "))
	}
	name := cl.errorName(err)
	if !contains(want, name) {
		return "", fmt.Errorf("%s: %s, want %s", what, name, strings.Join(want, " or "))
	}
	return name, nil
}

func runAuth(ctx context.Context, o opts, cl authClient) outcome {
	if o.security == "" {
		return fail("--security FILE is required")
	}
	sec, modes, err := loadSecurity(o.security)
	if err != nil {
		return fail("security file: %v", err)
	}
	run := fmt.Sprintf("%x", time.Now().UnixNano())
	var done, skipped []string
	for _, m := range modes {
		if why := cl.unsupported(m.as("alice", "").mechanism); why != "" {
			skipped = append(skipped, fmt.Sprintf("%s n/a (%s)", m.name, why))
			continue
		}
		values := []string{}
		for i := 0; i < 3; i++ {
			values = append(values, fmt.Sprintf("auth-%s-%s-%d", m.name, run, i))
		}
		step := func(what string, fn func(ctx context.Context) error) error {
			sctx, cancel := context.WithTimeout(ctx, 40*time.Second)
			defer cancel()
			if err := fn(sctx); err != nil {
				return fmt.Errorf("%s: %s: %s", m.name, what, cl.errorName(err))
			}
			return nil
		}
		alice := m.as("alice", "")
		if err := step("produce as alice", func(ctx context.Context) error { return cl.produce(ctx, alice, sec.Topic, values) }); err != nil {
			return fail("%v", err)
		}
		if err := step("consume as alice", func(ctx context.Context) error { return cl.consume(ctx, alice, sec.Topic, sec.Group, values) }); err != nil {
			return fail("%v", err)
		}
		if _, err := expectKafkaError(ctx, cl, m.name+": produce to the denied topic", []string{"TOPIC_AUTHORIZATION_FAILED"},
			func(ctx context.Context) error { return cl.produce(ctx, alice, sec.DeniedTopic, []string{"denied"}) }); err != nil {
			return fail("%v", err)
		}
		done = append(done, m.name)
	}
	scram512 := modes[0]
	if _, err := expectKafkaError(ctx, cl, "SCRAM-SHA-512 with a wrong password", []string{"SASL_AUTHENTICATION_FAILED"},
		func(ctx context.Context) error {
			return cl.produce(ctx, scram512.as("alice", "wrong-secret"), sec.Topic, []string{"never"})
		}); err != nil {
		return fail("%v", err)
	}
	bob, err := expectKafkaError(ctx, cl, "bob consuming (SCRAM-SHA-512)", []string{"TOPIC_AUTHORIZATION_FAILED", "GROUP_AUTHORIZATION_FAILED"},
		func(ctx context.Context) error {
			return cl.consume(ctx, scram512.as("bob", ""), sec.Topic, sec.Group, []string{"never"})
		})
	if err != nil {
		return fail("%v", err)
	}
	detail := fmt.Sprintf("%s: produced 3, consumed them in %s, denied topic TOPIC_AUTHORIZATION_FAILED; wrong password SASL_AUTHENTICATION_FAILED; bob %s",
		strings.Join(done, ", "), sec.Group, bob)
	if len(skipped) > 0 {
		detail += "; " + strings.Join(skipped, "; ")
	}
	return pass("%s", detail)
}
