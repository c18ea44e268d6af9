package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var franzScenarios = map[string]scenarioFn{
	"metadata":         franzMetadata,
	"topic-admin":      franzTopicAdmin,
	"produce-consume":  franzProduceConsume,
	"group-resume":     franzGroupResume,
	"list-offsets":     franzListOffsets,
	"describe-configs": franzDescribeConfigs,
	"bulk":             franzBulk,
	"crash-retry":      goCrashRetry,
	"golden":           franzGolden,
	"auth":             franzAuthScenario,
}

func franzClient(o opts, extra ...kgo.Opt) (*kgo.Client, error) {
	base := []kgo.Opt{kgo.SeedBrokers(o.bootstrap), kgo.ClientID("kpg-compat-franz-go"), kgo.RequestRetries(5)}
	return kgo.NewClient(append(base, extra...)...)
}

func franzAdmin(o opts) (*kadm.Client, func(), error) {
	cl, err := franzClient(o)
	if err != nil {
		return nil, nil, err
	}
	return kadm.NewClient(cl), cl.Close, nil
}

func franzMetadata(ctx context.Context, o opts) outcome {
	adm, closeFn, err := franzAdmin(o)
	if err != nil {
		return fail("client: %v", err)
	}
	defer closeFn()
	md, err := adm.Metadata(ctx)
	if err != nil {
		return fail("metadata: %v", err)
	}
	if len(md.Brokers) == 0 {
		return fail("no brokers in metadata")
	}
	if _, ok := md.Topics[o.topic]; !ok {
		return fail("topic %s not listed (%d topics)", o.topic, len(md.Topics))
	}
	return pass("%d broker(s), controller %d, %d topic(s) incl. %s", len(md.Brokers), md.Controller, len(md.Topics), o.topic)
}

func franzTopicAdmin(ctx context.Context, o opts) outcome {
	adm, closeFn, err := franzAdmin(o)
	if err != nil {
		return fail("client: %v", err)
	}
	defer closeFn()
	t := o.topic + "-adm"
	cr, err := adm.CreateTopics(ctx, 2, 1, nil, t)
	if err == nil {
		err = cr.Error()
	}
	if err != nil {
		return fail("create: %v", err)
	}
	md, err := adm.Metadata(ctx, t)
	if err != nil {
		return fail("describe: %v", err)
	}
	if td, ok := md.Topics[t]; !ok || td.Err != nil || len(td.Partitions) != 2 {
		return fail("describe: topic %s not found with 2 partitions", t)
	}
	v := "3600000"
	ar, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "retention.ms", Value: &v}}, t)
	if err == nil {
		for _, r := range ar {
			if r.Err != nil {
				err = r.Err
			}
		}
	}
	if err != nil {
		return fail("alter config: %v", err)
	}
	// Kafka applies an altered config shortly after answering: read it back for up to 5 s.
	got := ""
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		rc, err := adm.DescribeTopicConfigs(ctx, t)
		if err != nil {
			return fail("describe configs: %v", err)
		}
		for _, r := range rc {
			for _, c := range r.Configs {
				if c.Key == "retention.ms" && c.Value != nil {
					got = *c.Value
				}
			}
		}
		if got == v || time.Now().After(deadline) {
			break
		}
	}
	if got != v {
		return fail("retention.ms is %q after alter, want %s", got, v)
	}
	dr, err := adm.DeleteTopics(ctx, t)
	if err == nil {
		err = dr.Error()
	}
	if err != nil {
		return fail("delete: %v", err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		topics, err := adm.ListTopics(ctx)
		if err == nil && !topics.Has(t) {
			break
		}
		if time.Now().After(deadline) {
			return fail("topic %s still listed 15s after delete", t)
		}
		time.Sleep(300 * time.Millisecond)
	}
	return pass("create(2 partitions), describe, alter retention.ms, delete")
}

func franzCompression(c string) kgo.CompressionCodec {
	switch c {
	case "gzip":
		return kgo.GzipCompression()
	case "snappy":
		return kgo.SnappyCompression()
	case "lz4":
		return kgo.Lz4Compression()
	case "zstd":
		return kgo.ZstdCompression()
	}
	return kgo.NoCompression()
}

func franzProduceConsume(ctx context.Context, o opts) outcome {
	var want []rec
	for ci, c := range codecs {
		cl, err := franzClient(o, kgo.ProducerBatchCompression(franzCompression(c)), kgo.DefaultProduceTopic(o.topic), kgo.ProducerLinger(50*time.Millisecond))
		if err != nil {
			return fail("client: %v", err)
		}
		recs := expected(c, ci)
		var batch []*kgo.Record
		for _, r := range recs {
			kr := &kgo.Record{Key: []byte(r.key), Value: []byte(r.value), Timestamp: time.UnixMilli(r.ts), Partition: 0}
			for _, h := range r.headers {
				kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h[0], Value: []byte(h[1])})
			}
			batch = append(batch, kr)
		}
		err = cl.ProduceSync(ctx, batch...).FirstErr()
		cl.Close()
		if err != nil {
			return fail("produce %s: %v", c, err)
		}
		want = append(want, recs...)
	}
	got, err := franzConsumeAll(ctx, o, len(want))
	if err != nil {
		return fail("consume: %v", err)
	}
	if err := checkRecords(want, got); err != nil {
		return fail("%v", err)
	}
	return pass("codecs %s: %d records checked", strings.Join(codecs, ","), len(want))
}

func franzConsumeAll(ctx context.Context, o opts, n int) (map[string]rec, error) {
	cl, err := franzClient(o, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{o.topic: {0: kgo.NewOffset().AtStart()}}))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	got := map[string]rec{}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for len(got) < n {
		fs := cl.PollFetches(cctx)
		if cctx.Err() != nil {
			return got, fmt.Errorf("only %d of %d records after 30s", len(got), n)
		}
		if errs := fs.Errors(); len(errs) > 0 {
			return got, errs[0].Err
		}
		fs.EachRecord(func(r *kgo.Record) {
			g := rec{key: string(r.Key), value: string(r.Value), ts: r.Timestamp.UnixMilli()}
			for _, h := range r.Headers {
				g.headers = append(g.headers, [2]string{h.Key, string(h.Value)})
			}
			got[g.key] = g
		})
	}
	return got, nil
}

func franzGroupResume(ctx context.Context, o opts) outcome {
	p, err := franzClient(o, kgo.DefaultProduceTopic(o.topic))
	if err != nil {
		return fail("client: %v", err)
	}
	var batch []*kgo.Record
	for i := 0; i < 6; i++ {
		batch = append(batch, &kgo.Record{Key: []byte(fmt.Sprintf("k%d", i)), Value: []byte(fmt.Sprintf("r%d", i)), Partition: 0})
	}
	err = p.ProduceSync(ctx, batch...).FirstErr()
	p.Close()
	if err != nil {
		return fail("produce: %v", err)
	}
	consume := func(commitAt int64) (first int64, err error) {
		cl, err := franzClient(o, kgo.ConsumerGroup(o.group), kgo.ConsumeTopics(o.topic),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit())
		if err != nil {
			return -1, err
		}
		defer cl.Close()
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		first = -1
		for first < 0 {
			fs := cl.PollFetches(cctx)
			if cctx.Err() != nil {
				return -1, fmt.Errorf("no records within 30s")
			}
			if errs := fs.Errors(); len(errs) > 0 {
				return -1, errs[0].Err
			}
			fs.EachRecord(func(r *kgo.Record) {
				if first < 0 {
					first = r.Offset
				}
			})
		}
		if commitAt >= 0 {
			var cerr error
			cl.CommitOffsetsSync(cctx, map[string]map[int32]kgo.EpochOffset{o.topic: {0: {Epoch: -1, Offset: commitAt}}},
				func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
					cerr = err
					if err == nil {
						for _, t := range resp.Topics {
							for _, pp := range t.Partitions {
								if pp.ErrorCode != 0 {
									cerr = fmt.Errorf("commit error code %d", pp.ErrorCode)
								}
							}
						}
					}
				})
			if cerr != nil {
				return first, fmt.Errorf("commit: %w", cerr)
			}
		}
		return first, nil
	}
	first, err := consume(3)
	if err != nil {
		return fail("first consumer: %v", err)
	}
	if first != 0 {
		return fail("first consumer started at offset %d, want 0", first)
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

// franzGolden is for compat/capture-golden.sh only: CreateTopics, Produce and a consumer group's
// Join/Sync, OffsetFetch, Fetch and OffsetCommit, with the fixed records of test/golden/README.md, uncompressed.
func franzGolden(ctx context.Context, o opts) outcome {
	adm, closeAdmin, err := franzAdmin(o)
	if err != nil {
		return fail("client: %v", err)
	}
	created, err := adm.CreateTopic(ctx, 1, 1, nil, o.topic)
	closeAdmin()
	if err == nil {
		err = created.Err
	}
	if err != nil {
		return fail("create topic: %v", err)
	}
	want := goldenRecords()
	p, err := franzClient(o, kgo.DefaultProduceTopic(o.topic), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		return fail("client: %v", err)
	}
	var batch []*kgo.Record
	for _, r := range want {
		kr := &kgo.Record{Key: []byte(r.key), Value: []byte(r.value), Timestamp: time.UnixMilli(r.ts), Partition: 0}
		for _, h := range r.headers {
			kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h[0], Value: []byte(h[1])})
		}
		batch = append(batch, kr)
	}
	err = p.ProduceSync(ctx, batch...).FirstErr()
	p.Close()
	if err != nil {
		return fail("produce: %v", err)
	}
	cl, err := franzClient(o, kgo.ConsumerGroup(o.group), kgo.ConsumeTopics(o.topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit())
	if err != nil {
		return fail("client: %v", err)
	}
	defer cl.Close()
	cctx, cancel := context.WithTimeout(ctx, 40*time.Second)
	defer cancel()
	got := map[string]rec{}
	for len(got) < len(want) {
		fs := cl.PollFetches(cctx)
		if cctx.Err() != nil {
			return fail("consumed %d of %d records within 40s", len(got), len(want))
		}
		if errs := fs.Errors(); len(errs) > 0 {
			return fail("consume: %v", errs[0].Err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			g := rec{key: string(r.Key), value: string(r.Value), ts: r.Timestamp.UnixMilli()}
			for _, h := range r.Headers {
				g.headers = append(g.headers, [2]string{h.Key, string(h.Value)})
			}
			got[g.key] = g
		})
	}
	if err := checkRecords(want, got); err != nil {
		return fail("%v", err)
	}
	var commitErr error
	cl.CommitOffsetsSync(cctx, map[string]map[int32]kgo.EpochOffset{o.topic: {0: {Epoch: -1, Offset: int64(len(want))}}},
		func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, _ *kmsg.OffsetCommitResponse, err error) {
			commitErr = err
		})
	if commitErr != nil {
		return fail("commit: %v", commitErr)
	}
	return pass("created %s, produced and consumed %d records in group %s, committed offset %d", o.topic, len(want), o.group, len(want))
}

func franzListOffsets(ctx context.Context, o opts) outcome {
	p, err := franzClient(o, kgo.DefaultProduceTopic(o.topic))
	if err != nil {
		return fail("client: %v", err)
	}
	var batch []*kgo.Record
	for i := 0; i < 3; i++ {
		batch = append(batch, &kgo.Record{Value: []byte(fmt.Sprintf("t%d", i)), Timestamp: time.UnixMilli(baseTS + int64(i)*1000), Partition: 0})
	}
	err = p.ProduceSync(ctx, batch...).FirstErr()
	p.Close()
	if err != nil {
		return fail("produce: %v", err)
	}
	adm, closeFn, err := franzAdmin(o)
	if err != nil {
		return fail("client: %v", err)
	}
	defer closeFn()
	get := func(lo kadm.ListedOffsets, err error) (int64, error) {
		if err != nil {
			return -2, err
		}
		l, ok := lo.Lookup(o.topic, 0)
		if !ok {
			return -2, fmt.Errorf("partition missing")
		}
		return l.Offset, l.Err
	}
	earliest, err := get(adm.ListStartOffsets(ctx, o.topic))
	if err != nil {
		return fail("earliest: %v", err)
	}
	latest, err := get(adm.ListEndOffsets(ctx, o.topic))
	if err != nil {
		return fail("latest: %v", err)
	}
	byTime, err := get(adm.ListOffsetsAfterMilli(ctx, baseTS+500, o.topic))
	if err != nil {
		return fail("by time: %v", err)
	}
	exact, err := get(adm.ListOffsetsAfterMilli(ctx, baseTS+2000, o.topic))
	if err != nil {
		return fail("by time: %v", err)
	}
	if earliest != 0 || latest != 3 || byTime != 1 || exact != 2 {
		return fail("earliest=%d latest=%d time(+500ms)=%d time(+2000ms)=%d, want 0 3 1 2", earliest, latest, byTime, exact)
	}
	return pass("earliest=0 latest=3 by-time=1,2")
}

func franzDescribeConfigs(ctx context.Context, o opts) outcome {
	adm, closeFn, err := franzAdmin(o)
	if err != nil {
		return fail("client: %v", err)
	}
	defer closeFn()
	rc, err := adm.DescribeTopicConfigs(ctx, o.topic)
	if err != nil {
		return fail("describe topic configs: %v", err)
	}
	vals := map[string]string{}
	for _, r := range rc {
		if r.Err != nil {
			return fail("describe topic configs: %v", r.Err)
		}
		for _, c := range r.Configs {
			if c.Value != nil {
				vals[c.Key] = *c.Value
			}
		}
	}
	if vals["cleanup.policy"] != "delete" || vals["retention.ms"] == "" {
		return fail("topic configs lack cleanup.policy=delete / retention.ms (%d entries)", len(vals))
	}
	md, err := adm.BrokerMetadata(ctx)
	if err != nil || len(md.Brokers) == 0 {
		return fail("broker metadata: %v", err)
	}
	bc, err := adm.DescribeBrokerConfigs(ctx, md.Brokers[0].NodeID)
	if err != nil {
		return fail("describe broker configs: %v", err)
	}
	n := 0
	for _, r := range bc {
		if r.Err != nil {
			return fail("describe broker configs: %v", r.Err)
		}
		n += len(r.Configs)
	}
	if n == 0 {
		return fail("broker %d has no config entries", md.Brokers[0].NodeID)
	}
	return pass("topic: %d entries (cleanup.policy=delete, retention.ms=%s); broker %d: %d entries", len(vals), vals["retention.ms"], md.Brokers[0].NodeID, n)
}
