// kpg compatibility scenarios for the Go clients Sarama, franz-go and segmentio/kafka-go.
//
//	kpg-compat-go --client sarama|franz-go|kafka-go --bootstrap HOST:PORT --scenario NAME --topic T [--security FILE]
//
// Prints one JSON line {"scenario","status","detail"} and exits 0; non-zero only on a crash.
// The scenarios are described in compat/README.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// baseTS is the CreateTime of the first record every scenario produces.
const baseTS int64 = 1700000000000

var codecs = []string{"none", "gzip", "snappy", "lz4", "zstd"}

type opts struct {
	client    string
	bootstrap string
	scenario  string
	topic     string
	group     string
	security  string // the auth scenario's JSON file
}

type result struct {
	Scenario string `json:"scenario"`
	Status   string `json:"status"`
	Detail   string `json:"detail"`
	Client   string `json:"client,omitempty"`
}

// outcome is what a scenario function returns: pass, n/a or an error (fail).
type outcome struct {
	status string
	detail string
}

func pass(format string, a ...any) outcome { return outcome{"pass", fmt.Sprintf(format, a...)} }
func na(format string, a ...any) outcome   { return outcome{"n/a", fmt.Sprintf(format, a...)} }
func fail(format string, a ...any) outcome { return outcome{"fail", fmt.Sprintf(format, a...)} }

// rec is one expected record of the produce-consume scenario.
type rec struct {
	key, value string
	headers    [][2]string
	ts         int64
}

// expected returns the records produced with codec number ci.
func expected(codec string, ci int) []rec {
	out := make([]rec, 0, 3)
	for i := 0; i < 3; i++ {
		n := ci*3 + i
		out = append(out, rec{
			key:     fmt.Sprintf("key-%s-%d", codec, i),
			value:   fmt.Sprintf("value-%s-%d-%s", codec, i, strings.Repeat("abcdefghij", 20)),
			headers: [][2]string{{"codec", codec}, {"idx", fmt.Sprint(i)}},
			ts:      baseTS + int64(n),
		})
	}
	return out
}

// goldenRecords returns the records of the golden scenario (the same in every language, see test/golden/README.md).
func goldenRecords() []rec {
	out := make([]rec, 0, 2)
	for i := 0; i < 2; i++ {
		out = append(out, rec{key: fmt.Sprintf("golden-%d", i), value: fmt.Sprintf("value-%d", i), headers: [][2]string{{"idx", fmt.Sprint(i)}}, ts: baseTS + int64(i)})
	}
	return out
}

// checkRecords compares consumed records (by key) against the expected ones.
func checkRecords(want []rec, got map[string]rec) error {
	var problems []string
	for _, w := range want {
		g, ok := got[w.key]
		if !ok {
			problems = append(problems, "missing "+w.key)
			continue
		}
		if g.value != w.value {
			problems = append(problems, w.key+": value differs")
		}
		if g.ts != w.ts {
			problems = append(problems, fmt.Sprintf("%s: timestamp %d want %d", w.key, g.ts, w.ts))
		}
		if fmt.Sprint(g.headers) != fmt.Sprint(w.headers) {
			problems = append(problems, fmt.Sprintf("%s: headers %v want %v", w.key, g.headers, w.headers))
		}
	}
	if len(got) != len(want) {
		problems = append(problems, fmt.Sprintf("got %d records, want %d", len(got), len(want)))
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], "...")
		}
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type scenarioFn func(ctx context.Context, o opts) outcome

func main() {
	var o opts
	flag.StringVar(&o.client, "client", "franz-go", "sarama | franz-go | kafka-go")
	flag.StringVar(&o.bootstrap, "bootstrap", "127.0.0.1:39092", "HOST:PORT")
	flag.StringVar(&o.scenario, "scenario", "metadata", "scenario name")
	flag.StringVar(&o.topic, "topic", "compat-go", "pre-created topic")
	flag.StringVar(&o.group, "group", "", "consumer group (default TOPIC-group)")
	flag.StringVar(&o.security, "security", "", "auth scenario: JSON file with listeners, certificates, users and tokens")
	timeout := flag.Duration("timeout", 90*time.Second, "overall timeout")
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "timeout" })
	if !explicit && (o.scenario == "bulk" || o.scenario == "crash-retry") {
		*timeout = 14 * time.Minute // the runner's cell timeout for these is longer (compat/run.mjs)
	}
	if o.group == "" {
		o.group = o.topic + "-group"
	}
	var table map[string]scenarioFn
	switch o.client {
	case "sarama":
		table = saramaScenarios
	case "franz-go":
		table = franzScenarios
	case "kafka-go":
		table = kafkaGoScenarios
	default:
		fmt.Fprintln(os.Stderr, "unknown --client", o.client)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	var out outcome
	if fn, ok := table[o.scenario]; ok {
		done := make(chan outcome, 1)
		go func() {
			defer func() {
				if r := recover(); r != nil {
					done <- fail("panic: %v", r)
				}
			}()
			done <- fn(ctx, o)
		}()
		select {
		case out = <-done:
		case <-ctx.Done():
			out = fail("timed out after %s", *timeout)
		}
	} else {
		out = na("scenario %q not implemented for %s", o.scenario, o.client)
	}
	b, _ := json.Marshal(result{Scenario: o.scenario, Status: out.status, Detail: out.detail, Client: o.client})
	fmt.Println(string(b))
}
