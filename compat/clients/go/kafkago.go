package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	kafka "github.com/segmentio/kafka-go"
)

var kafkaGoScenarios = map[string]scenarioFn{
	"metadata":         kgMetadata,
	"topic-admin":      kgTopicAdmin,
	"produce-consume":  kgProduceConsume,
	"group-resume":     kgGroupResume,
	"list-offsets":     kgListOffsets,
	"describe-configs": kgDescribeConfigs,
	"bulk":             kafkaGoBulk,
	"crash-retry":      goCrashRetry,
	"auth":             kgAuthScenario,
}

func kgClient(o opts) *kafka.Client {
	return &kafka.Client{Addr: kafka.TCP(o.bootstrap), Timeout: 15 * time.Second}
}

func kgMetadata(ctx context.Context, o opts) outcome {
	md, err := kgClient(o).Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return fail("metadata: %v", err)
	}
	if len(md.Brokers) == 0 {
		return fail("no brokers in metadata")
	}
	found := false
	for _, t := range md.Topics {
		if t.Name == o.topic {
			found = true
		}
	}
	if !found {
		return fail("topic %s not listed (%d topics)", o.topic, len(md.Topics))
	}
	return pass("%d broker(s), controller %d, %d topic(s) incl. %s", len(md.Brokers), md.Controller.ID, len(md.Topics), o.topic)
}

func firstErr(m map[string]error) error {
	for k, e := range m {
		if e != nil {
			return fmt.Errorf("%s: %w", k, e)
		}
	}
	return nil
}

func kgTopicAdmin(ctx context.Context, o opts) outcome {
	c := kgClient(o)
	t := o.topic + "-adm"
	cr, err := c.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{Topic: t, NumPartitions: 2, ReplicationFactor: 1}}})
	if err == nil {
		err = firstErr(cr.Errors)
	}
	if err != nil {
		return fail("create: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{t}})
		if err == nil && len(md.Topics) == 1 && md.Topics[0].Error == nil && len(md.Topics[0].Partitions) == 2 {
			break
		}
		if time.Now().After(deadline) {
			return fail("describe: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	v := "3600000"
	ar, err := c.IncrementalAlterConfigs(ctx, &kafka.IncrementalAlterConfigsRequest{Resources: []kafka.IncrementalAlterConfigsRequestResource{{
		ResourceType: kafka.ResourceTypeTopic, ResourceName: t,
		Configs: []kafka.IncrementalAlterConfigsRequestConfig{{Name: "retention.ms", Value: v, ConfigOperation: kafka.ConfigOperationSet}},
	}}})
	if err == nil {
		for _, r := range ar.Resources {
			if r.Error != nil {
				err = r.Error
			}
		}
	}
	if err != nil {
		return fail("alter config: %v", err)
	}
	// Kafka applies an altered config shortly after answering: read it back for up to 5 s.
	var vals map[string]string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		vals, err = kgTopicConfigs(ctx, c, t)
		if err != nil {
			return fail("describe configs: %v", err)
		}
		if vals["retention.ms"] == v || time.Now().After(deadline) {
			break
		}
	}
	if vals["retention.ms"] != v {
		return fail("retention.ms is %q after alter, want %s", vals["retention.ms"], v)
	}
	dr, err := c.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: []string{t}})
	if err == nil {
		err = firstErr(dr.Errors)
	}
	if err != nil {
		return fail("delete: %v", err)
	}
	deadline = time.Now().Add(15 * time.Second)
	for {
		md, err := c.Metadata(ctx, &kafka.MetadataRequest{})
		gone := err == nil
		if gone {
			for _, x := range md.Topics {
				if x.Name == t {
					gone = false
				}
			}
		}
		if gone {
			break
		}
		if time.Now().After(deadline) {
			return fail("topic %s still listed 15s after delete", t)
		}
		time.Sleep(300 * time.Millisecond)
	}
	return pass("create(2 partitions), describe, alter retention.ms, delete")
}

func kgTopicConfigs(ctx context.Context, c *kafka.Client, t string) (map[string]string, error) {
	r, err := c.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{Resources: []kafka.DescribeConfigRequestResource{{ResourceType: kafka.ResourceTypeTopic, ResourceName: t}}})
	if err != nil {
		return nil, err
	}
	vals := map[string]string{}
	for _, res := range r.Resources {
		if res.Error != nil {
			return nil, res.Error
		}
		for _, e := range res.ConfigEntries {
			vals[e.ConfigName] = e.ConfigValue
		}
	}
	return vals, nil
}

func kgCodec(c string) kafka.Compression {
	switch c {
	case "gzip":
		return kafka.Gzip
	case "snappy":
		return kafka.Snappy
	case "lz4":
		return kafka.Lz4
	case "zstd":
		return kafka.Zstd
	}
	return 0
}

func kgProduce(ctx context.Context, o opts, codec string, recs []rec) error {
	w := &kafka.Writer{Addr: kafka.TCP(o.bootstrap), Topic: o.topic, Compression: kgCodec(codec),
		BatchTimeout: 20 * time.Millisecond, RequiredAcks: kafka.RequireAll, MaxAttempts: 5}
	defer w.Close()
	var msgs []kafka.Message
	for _, r := range recs {
		m := kafka.Message{Value: []byte(r.value), Time: time.UnixMilli(r.ts)}
		if r.key != "" {
			m.Key = []byte(r.key)
		}
		for _, h := range r.headers {
			m.Headers = append(m.Headers, kafka.Header{Key: h[0], Value: []byte(h[1])})
		}
		msgs = append(msgs, m)
	}
	return w.WriteMessages(ctx, msgs...)
}

func kgProduceConsume(ctx context.Context, o opts) outcome {
	var want []rec
	for ci, c := range codecs {
		recs := expected(c, ci)
		if err := kgProduce(ctx, o, c, recs); err != nil {
			return fail("produce %s: %v", c, err)
		}
		want = append(want, recs...)
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{o.bootstrap}, Topic: o.topic, Partition: 0, MaxWait: 500 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(kafka.FirstOffset); err != nil {
		return fail("set offset: %v", err)
	}
	got := map[string]rec{}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for len(got) < len(want) {
		m, err := r.ReadMessage(cctx)
		if err != nil {
			return fail("consume after %d of %d records: %v", len(got), len(want), err)
		}
		g := rec{key: string(m.Key), value: string(m.Value), ts: m.Time.UnixMilli()}
		for _, h := range m.Headers {
			g.headers = append(g.headers, [2]string{h.Key, string(h.Value)})
		}
		got[g.key] = g
	}
	if err := checkRecords(want, got); err != nil {
		return fail("%v", err)
	}
	return pass("codecs %s: %d records checked", strings.Join(codecs, ","), len(want))
}

func kgGroupResume(ctx context.Context, o opts) outcome {
	var recs []rec
	for i := 0; i < 6; i++ {
		recs = append(recs, rec{key: fmt.Sprintf("k%d", i), value: fmt.Sprintf("r%d", i), ts: time.Now().UnixMilli()})
	}
	if err := kgProduce(ctx, o, "none", recs); err != nil {
		return fail("produce: %v", err)
	}
	consume := func(commitThrough int64) (int64, error) {
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{o.bootstrap}, Topic: o.topic, GroupID: o.group,
			StartOffset: kafka.FirstOffset, MaxWait: 500 * time.Millisecond})
		defer r.Close()
		cctx, cancel := context.WithTimeout(ctx, 40*time.Second)
		defer cancel()
		first := int64(-1)
		for {
			m, err := r.FetchMessage(cctx)
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) {
					err = fmt.Errorf("no records within 40s")
				}
				return first, err
			}
			if first < 0 {
				first = m.Offset
			}
			if commitThrough < 0 {
				return first, nil
			}
			if m.Offset == commitThrough {
				// CommitMessages commits the offset after m.
				return first, r.CommitMessages(cctx, m)
			}
		}
	}
	first, err := consume(2)
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

func kgListOffsets(ctx context.Context, o opts) outcome {
	var recs []rec
	for i := 0; i < 3; i++ {
		recs = append(recs, rec{value: fmt.Sprintf("t%d", i), ts: baseTS + int64(i)*1000})
	}
	if err := kgProduce(ctx, o, "none", recs); err != nil {
		return fail("produce: %v", err)
	}
	c := kgClient(o)
	q := func(req kafka.OffsetRequest) (kafka.PartitionOffsets, error) {
		r, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{o.topic: {req}}})
		if err != nil {
			return kafka.PartitionOffsets{}, err
		}
		ps := r.Topics[o.topic]
		if len(ps) != 1 {
			return kafka.PartitionOffsets{}, fmt.Errorf("no partition in response")
		}
		return ps[0], ps[0].Error
	}
	e, err := q(kafka.FirstOffsetOf(0))
	if err != nil {
		return fail("earliest: %v", err)
	}
	l, err := q(kafka.LastOffsetOf(0))
	if err != nil {
		return fail("latest: %v", err)
	}
	byTime := func(ms int64) (int64, error) {
		p, err := q(kafka.TimeOffsetOf(0, time.UnixMilli(ms)))
		if err != nil {
			return -2, err
		}
		for off := range p.Offsets {
			return off, nil
		}
		return -1, nil
	}
	t1, err := byTime(baseTS + 500)
	if err != nil {
		return fail("by time: %v", err)
	}
	t2, err := byTime(baseTS + 2000)
	if err != nil {
		return fail("by time: %v", err)
	}
	if e.FirstOffset != 0 || l.LastOffset != 3 || t1 != 1 || t2 != 2 {
		return fail("earliest=%d latest=%d time(+500ms)=%d time(+2000ms)=%d, want 0 3 1 2", e.FirstOffset, l.LastOffset, t1, t2)
	}
	return pass("earliest=0 latest=3 by-time=1,2")
}

func kgDescribeConfigs(ctx context.Context, o opts) outcome {
	c := kgClient(o)
	vals, err := kgTopicConfigs(ctx, c, o.topic)
	if err != nil {
		return fail("describe topic configs: %v", err)
	}
	if vals["cleanup.policy"] != "delete" || vals["retention.ms"] == "" {
		return fail("topic configs lack cleanup.policy=delete / retention.ms (%d entries)", len(vals))
	}
	md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{}})
	if err != nil || len(md.Brokers) == 0 {
		return fail("metadata: %v", err)
	}
	id := fmt.Sprint(md.Brokers[0].ID)
	r, err := c.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{Resources: []kafka.DescribeConfigRequestResource{{ResourceType: kafka.ResourceTypeBroker, ResourceName: id}}})
	if err != nil {
		return fail("describe broker configs: %v", err)
	}
	n := 0
	for _, res := range r.Resources {
		if res.Error != nil {
			return fail("describe broker configs: %v", res.Error)
		}
		n += len(res.ConfigEntries)
	}
	if n == 0 {
		return fail("broker %s has no config entries", id)
	}
	return pass("topic: %d entries (cleanup.policy=delete, retention.ms=%s); broker %s: %d entries", len(vals), vals["retention.ms"], id, n)
}
