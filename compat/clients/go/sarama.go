package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

var saramaScenarios = map[string]scenarioFn{
	"metadata":         saramaMetadata,
	"topic-admin":      saramaTopicAdmin,
	"produce-consume":  saramaProduceConsume,
	"group-resume":     saramaGroupResume,
	"list-offsets":     saramaListOffsets,
	"describe-configs": saramaDescribeConfigs,
	"bulk":             saramaBulk,
	"crash-retry":      goCrashRetry,
	"auth":             saramaAuthScenario,
}

// saramaConfig uses Sarama's default protocol version (what most Sarama users, kafkactl
// included, run with unless configured otherwise).
func saramaConfig() *sarama.Config {
	c := sarama.NewConfig()
	c.ClientID = "kpg-compat-sarama"
	c.Metadata.Retry.Max = 5
	c.Producer.Return.Successes = true
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Partitioner = sarama.NewManualPartitioner
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	return c
}

func saramaMetadata(ctx context.Context, o opts) outcome {
	cl, err := sarama.NewClient([]string{o.bootstrap}, saramaConfig())
	if err != nil {
		return fail("client: %v", err)
	}
	defer cl.Close()
	brokers := cl.Brokers()
	if len(brokers) == 0 {
		return fail("no brokers in metadata")
	}
	topics, err := cl.Topics()
	if err != nil {
		return fail("topics: %v", err)
	}
	if !contains(topics, o.topic) {
		return fail("topic %s not listed (%d topics)", o.topic, len(topics))
	}
	ctrl, err := cl.Controller()
	if err != nil {
		return fail("controller: %v", err)
	}
	return pass("%d broker(s), controller %d, %d topic(s) incl. %s (protocol %s)", len(brokers), ctrl.ID(), len(topics), o.topic, saramaConfig().Version)
}

func saramaTopicAdmin(ctx context.Context, o opts) outcome {
	adm, err := sarama.NewClusterAdmin([]string{o.bootstrap}, saramaConfig())
	if err != nil {
		return fail("admin: %v", err)
	}
	defer adm.Close()
	t := o.topic + "-adm"
	if err := adm.CreateTopic(t, &sarama.TopicDetail{NumPartitions: 2, ReplicationFactor: 1}, false); err != nil {
		return fail("create: %v", err)
	}
	var md []*sarama.TopicMetadata
	deadline := time.Now().Add(10 * time.Second)
	for {
		md, err = adm.DescribeTopics([]string{t})
		if err == nil && len(md) == 1 && md[0].Err == sarama.ErrNoError && len(md[0].Partitions) == 2 {
			break
		}
		if time.Now().After(deadline) {
			return fail("describe: %v %v", err, md)
		}
		time.Sleep(200 * time.Millisecond)
	}
	v := "3600000"
	err = adm.IncrementalAlterConfig(sarama.TopicResource, t, map[string]sarama.IncrementalAlterConfigsEntry{
		"retention.ms": {Operation: sarama.IncrementalAlterConfigsOperationSet, Value: &v}}, false)
	if err != nil {
		return fail("alter config: %v", err)
	}
	// Kafka applies an altered config shortly after answering: read it back for up to 5 s.
	got := ""
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		entries, err := adm.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: t})
		if err != nil {
			return fail("describe configs: %v", err)
		}
		for _, e := range entries {
			if e.Name == "retention.ms" {
				got = e.Value
			}
		}
		if got == v || time.Now().After(deadline) {
			break
		}
	}
	if got != v {
		return fail("retention.ms is %q after alter, want %s", got, v)
	}
	if err := adm.DeleteTopic(t); err != nil {
		return fail("delete: %v", err)
	}
	deadline = time.Now().Add(15 * time.Second)
	for {
		topics, err := adm.ListTopics()
		if _, still := topics[t]; err == nil && !still {
			break
		}
		if time.Now().After(deadline) {
			return fail("topic %s still listed 15s after delete", t)
		}
		time.Sleep(300 * time.Millisecond)
	}
	return pass("create(2 partitions), describe, alter retention.ms, delete")
}

func saramaCodec(c string) sarama.CompressionCodec {
	switch c {
	case "gzip":
		return sarama.CompressionGZIP
	case "snappy":
		return sarama.CompressionSnappy
	case "lz4":
		return sarama.CompressionLZ4
	case "zstd":
		return sarama.CompressionZSTD
	}
	return sarama.CompressionNone
}

func saramaProduce(o opts, codec string, recs []rec) error {
	cfg := saramaConfig()
	cfg.Producer.Compression = saramaCodec(codec)
	p, err := sarama.NewSyncProducer([]string{o.bootstrap}, cfg)
	if err != nil {
		return err
	}
	defer p.Close()
	var msgs []*sarama.ProducerMessage
	for _, r := range recs {
		m := &sarama.ProducerMessage{Topic: o.topic, Partition: 0, Value: sarama.StringEncoder(r.value), Timestamp: time.UnixMilli(r.ts)}
		if r.key != "" {
			m.Key = sarama.StringEncoder(r.key)
		}
		for _, h := range r.headers {
			m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(h[0]), Value: []byte(h[1])})
		}
		msgs = append(msgs, m)
	}
	return p.SendMessages(msgs)
}

func saramaProduceConsume(ctx context.Context, o opts) outcome {
	var want []rec
	for ci, c := range codecs {
		recs := expected(c, ci)
		if err := saramaProduce(o, c, recs); err != nil {
			return fail("produce %s: %v", c, err)
		}
		want = append(want, recs...)
	}
	cons, err := sarama.NewConsumer([]string{o.bootstrap}, saramaConfig())
	if err != nil {
		return fail("consumer: %v", err)
	}
	defer cons.Close()
	pc, err := cons.ConsumePartition(o.topic, 0, sarama.OffsetOldest)
	if err != nil {
		return fail("consume partition: %v", err)
	}
	defer pc.Close()
	got := map[string]rec{}
	timeout := time.After(30 * time.Second)
	for len(got) < len(want) {
		select {
		case m := <-pc.Messages():
			g := rec{key: string(m.Key), value: string(m.Value), ts: m.Timestamp.UnixMilli()}
			for _, h := range m.Headers {
				g.headers = append(g.headers, [2]string{string(h.Key), string(h.Value)})
			}
			got[g.key] = g
		case e := <-pc.Errors():
			return fail("consume: %v", e)
		case <-timeout:
			return fail("only %d of %d records after 30s", len(got), len(want))
		}
	}
	if err := checkRecords(want, got); err != nil {
		return fail("%v", err)
	}
	return pass("codecs %s: %d records checked", strings.Join(codecs, ","), len(want))
}

type saramaHandler struct {
	topic    string
	commitAt int64
	first    chan int64
}

func (h *saramaHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *saramaHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *saramaHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		if h.commitAt >= 0 {
			sess.MarkOffset(h.topic, 0, h.commitAt, "")
			sess.Commit()
		}
		select {
		case h.first <- m.Offset:
		default:
		}
		return nil
	}
	return nil
}

func saramaGroupResume(ctx context.Context, o opts) outcome {
	var recs []rec
	for i := 0; i < 6; i++ {
		recs = append(recs, rec{key: fmt.Sprintf("k%d", i), value: fmt.Sprintf("r%d", i), ts: time.Now().UnixMilli()})
	}
	if err := saramaProduce(o, "none", recs); err != nil {
		return fail("produce: %v", err)
	}
	consume := func(commitAt int64) (int64, error) {
		cfg := saramaConfig()
		cfg.Consumer.Offsets.AutoCommit.Enable = false
		cfg.Consumer.Return.Errors = true
		g, err := sarama.NewConsumerGroup([]string{o.bootstrap}, o.group, cfg)
		if err != nil {
			return -1, err
		}
		defer g.Close()
		h := &saramaHandler{topic: o.topic, commitAt: commitAt, first: make(chan int64, 1)}
		cctx, cancel := context.WithTimeout(ctx, 40*time.Second)
		defer cancel()
		errc := make(chan error, 1)
		go func() { errc <- g.Consume(cctx, []string{o.topic}, h) }()
		select {
		case off := <-h.first:
			cancel()
			<-errc
			return off, nil
		case err := <-g.Errors():
			return -1, err
		case err := <-errc:
			if err == nil {
				err = fmt.Errorf("session ended without records")
			}
			return -1, err
		case <-cctx.Done():
			return -1, fmt.Errorf("no records within 40s")
		}
	}
	first, err := consume(3)
	if err != nil {
		return fail("first consumer: %v", err)
	}
	if first != 0 {
		return fail("first consumer started at %d, want 0", first)
	}
	resumed, err := consume(-1)
	if err != nil {
		return fail("second consumer: %v", err)
	}
	if resumed != 3 {
		return fail("resumed at offset %d, want 3 (the committed offset)", resumed)
	}
	return pass("committed offset 3 in group %s, restarted consumer resumed at 3", o.group)
}

func saramaListOffsets(ctx context.Context, o opts) outcome {
	var recs []rec
	for i := 0; i < 3; i++ {
		recs = append(recs, rec{value: fmt.Sprintf("t%d", i), ts: baseTS + int64(i)*1000})
	}
	if err := saramaProduce(o, "none", recs); err != nil {
		return fail("produce: %v", err)
	}
	cl, err := sarama.NewClient([]string{o.bootstrap}, saramaConfig())
	if err != nil {
		return fail("client: %v", err)
	}
	defer cl.Close()
	q := func(t int64) (int64, error) { return cl.GetOffset(o.topic, 0, t) }
	earliest, err := q(sarama.OffsetOldest)
	if err != nil {
		return fail("earliest: %v", err)
	}
	latest, err := q(sarama.OffsetNewest)
	if err != nil {
		return fail("latest: %v", err)
	}
	byTime, err := q(baseTS + 500)
	if err != nil {
		return fail("by time: %v", err)
	}
	exact, err := q(baseTS + 2000)
	if err != nil {
		return fail("by time: %v", err)
	}
	if earliest != 0 || latest != 3 || byTime != 1 || exact != 2 {
		return fail("earliest=%d latest=%d time(+500ms)=%d time(+2000ms)=%d, want 0 3 1 2", earliest, latest, byTime, exact)
	}
	return pass("earliest=0 latest=3 by-time=1,2")
}

func saramaDescribeConfigs(ctx context.Context, o opts) outcome {
	adm, err := sarama.NewClusterAdmin([]string{o.bootstrap}, saramaConfig())
	if err != nil {
		return fail("admin: %v", err)
	}
	defer adm.Close()
	entries, err := adm.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: o.topic})
	if err != nil {
		return fail("describe topic configs: %v", err)
	}
	vals := map[string]string{}
	for _, e := range entries {
		vals[e.Name] = e.Value
	}
	if vals["cleanup.policy"] != "delete" || vals["retention.ms"] == "" {
		return fail("topic configs lack cleanup.policy=delete / retention.ms (%d entries)", len(vals))
	}
	brokers, _, err := adm.DescribeCluster()
	if err != nil || len(brokers) == 0 {
		return fail("describe cluster: %v", err)
	}
	id := fmt.Sprint(brokers[0].ID())
	bentries, err := adm.DescribeConfig(sarama.ConfigResource{Type: sarama.BrokerResource, Name: id})
	if err != nil {
		return fail("describe broker configs: %v", err)
	}
	if len(bentries) == 0 {
		return fail("broker %s has no config entries", id)
	}
	return pass("topic: %d entries (cleanup.policy=delete, retention.ms=%s); broker %s: %d entries", len(vals), vals["retention.ms"], id, len(bentries))
}
