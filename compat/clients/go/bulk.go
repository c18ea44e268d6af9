package main

// The bulk scenario (compat/README.md) for franz-go and Sarama: bulkN records across every codec,
// produced to partition 0 and consumed back, each compared with the generator by its offset.

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// bulkN is the number of records in total across codecs (KPG_COMPAT_BULK_N overrides, for quick runs).
var bulkN = func() int64 {
	if v, err := strconv.ParseInt(os.Getenv("KPG_COMPAT_BULK_N"), 10, 64); err == nil {
		return v
	}
	return 100000
}()

var bulkPad = strings.Repeat("abcdefghij", 20)

// bulkRecord is record i of the bulk scenario (the same in every language); key nil for every 100th.
func bulkRecord(i int64, codec string) (key []byte, value string, headers [][2]string, ts int64) {
	if i%100 != 99 {
		key = []byte(fmt.Sprintf("bulk-%d", i))
	}
	value = fmt.Sprintf("value-%d-%s", i, bulkPad[:(i*37)%200])
	if i%5 != 0 {
		headers = [][2]string{{"idx", strconv.FormatInt(i, 10)}, {"codec", codec}}
	}
	return key, value, headers, baseTS + i
}

// bulkRange: codec number ci of k produces records [lo, hi).
func bulkRange(ci, k int) (int64, int64) {
	return int64(ci) * bulkN / int64(k), int64(ci+1) * bulkN / int64(k)
}

// bulkChecker compares consumed records with the generator by offset, keeping only counters and the first problems.
type bulkChecker struct {
	codecs   []string
	next     int64
	problems []string
}

func (c *bulkChecker) problem(format string, a ...any) {
	if len(c.problems) < 5 {
		c.problems = append(c.problems, fmt.Sprintf(format, a...))
	} else if len(c.problems) == 5 {
		c.problems = append(c.problems, "...")
	}
}

func (c *bulkChecker) codecOf(i int64) string {
	for ci := range c.codecs {
		if _, hi := bulkRange(ci, len(c.codecs)); i < hi {
			return c.codecs[ci]
		}
	}
	return ""
}

func (c *bulkChecker) check(offset int64, key []byte, value []byte, headers [][2]string, ts int64) {
	if offset < c.next {
		return // delivered again; checked already
	}
	if offset > c.next {
		c.problem("gap: offset %d after %d", offset, c.next-1)
	}
	c.next = offset + 1
	if offset >= bulkN {
		c.problem("unexpected record at offset %d (only %d were produced)", offset, bulkN)
		return
	}
	wk, wv, wh, wts := bulkRecord(offset, c.codecOf(offset))
	if (key == nil) != (wk == nil) || string(key) != string(wk) {
		c.problem("offset %d: key %q (null %v) want %q (null %v)", offset, key, key == nil, wk, wk == nil)
	}
	if string(value) != wv {
		c.problem("offset %d: value differs", offset)
	}
	if ts != wts {
		c.problem("offset %d: timestamp %d want %d", offset, ts, wts)
	}
	if fmt.Sprint(headers) != fmt.Sprint(wh) {
		c.problem("offset %d: headers %v want %v", offset, headers, wh)
	}
}

func (c *bulkChecker) finish(logEnd int64) error {
	if c.next < bulkN {
		c.problem("consumed up to offset %d, want %d", c.next-1, bulkN-1)
	}
	if logEnd != bulkN {
		c.problem("log end offset %d, want %d", logEnd, bulkN)
	}
	if len(c.problems) > 0 {
		return fmt.Errorf("%s", strings.Join(c.problems, "; "))
	}
	return nil
}

func franzBulk(ctx context.Context, o opts) outcome {
	t0 := time.Now()
	for ci, c := range codecs {
		cl, err := franzClient(o, kgo.ProducerBatchCompression(franzCompression(c)), kgo.DefaultProduceTopic(o.topic), kgo.ProducerLinger(5*time.Millisecond))
		if err != nil {
			return fail("client: %v", err)
		}
		var mu sync.Mutex
		var firstErr error
		lo, hi := bulkRange(ci, len(codecs))
		for i := lo; i < hi; i++ {
			key, value, headers, ts := bulkRecord(i, c)
			kr := &kgo.Record{Key: key, Value: []byte(value), Timestamp: time.UnixMilli(ts), Partition: 0}
			for _, h := range headers {
				kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h[0], Value: []byte(h[1])})
			}
			cl.Produce(ctx, kr, func(_ *kgo.Record, err error) {
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			})
		}
		err = cl.Flush(ctx)
		cl.Close()
		if err == nil {
			err = firstErr
		}
		if err != nil {
			return fail("produce %s: %v", c, err)
		}
	}
	produced := time.Since(t0)
	cl, err := franzClient(o, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{o.topic: {0: kgo.NewOffset().AtStart()}}))
	if err != nil {
		return fail("client: %v", err)
	}
	defer cl.Close()
	check := &bulkChecker{codecs: codecs}
	lastProgress := time.Now()
	for check.next < bulkN && time.Since(lastProgress) < 60*time.Second {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		fs := cl.PollFetches(pctx)
		cancel()
		if ctx.Err() != nil {
			return fail("timed out after %d of %d records", check.next, bulkN)
		}
		for _, e := range fs.Errors() {
			if e.Err != context.DeadlineExceeded {
				return fail("consume: %v", e.Err)
			}
		}
		fs.EachRecord(func(r *kgo.Record) {
			lastProgress = time.Now()
			var hs [][2]string
			for _, h := range r.Headers {
				hs = append(hs, [2]string{h.Key, string(h.Value)})
			}
			check.check(r.Offset, r.Key, r.Value, hs, r.Timestamp.UnixMilli())
		})
	}
	adm := kadm.NewClient(cl)
	ends, err := adm.ListEndOffsets(ctx, o.topic)
	if err != nil {
		return fail("list end offsets: %v", err)
	}
	end, _ := ends.Lookup(o.topic, 0)
	if err := check.finish(end.Offset); err != nil {
		return fail("%v", err)
	}
	return pass("%d records (codecs %s; idempotent producer, the default) produced in %d ms, consumed and compared in %d ms",
		bulkN, strings.Join(codecs, ","), produced.Milliseconds(), (time.Since(t0) - produced).Milliseconds())
}

func saramaBulk(ctx context.Context, o opts) outcome {
	t0 := time.Now()
	for ci, c := range codecs {
		cfg := saramaConfig()
		cfg.Producer.Compression = saramaCodec(c)
		cfg.Producer.Flush.Frequency = 5 * time.Millisecond
		p, err := sarama.NewAsyncProducer([]string{o.bootstrap}, cfg)
		if err != nil {
			return fail("producer: %v", err)
		}
		lo, hi := bulkRange(ci, len(codecs))
		var firstErr error
		var done sync.WaitGroup
		done.Add(2)
		go func() {
			defer done.Done()
			for range p.Successes() {
			}
		}()
		go func() {
			defer done.Done()
			for e := range p.Errors() {
				if firstErr == nil {
					firstErr = e.Err
				}
			}
		}()
		for i := lo; i < hi; i++ {
			key, value, headers, ts := bulkRecord(i, c)
			m := &sarama.ProducerMessage{Topic: o.topic, Partition: 0, Value: sarama.StringEncoder(value), Timestamp: time.UnixMilli(ts)}
			if key != nil {
				m.Key = sarama.ByteEncoder(key)
			}
			for _, h := range headers {
				m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(h[0]), Value: []byte(h[1])})
			}
			p.Input() <- m
		}
		p.AsyncClose() // flushes, then closes Successes and Errors
		done.Wait()
		if firstErr != nil {
			return fail("produce %s: %v", c, firstErr)
		}
	}
	produced := time.Since(t0)
	cl, err := sarama.NewClient([]string{o.bootstrap}, saramaConfig())
	if err != nil {
		return fail("client: %v", err)
	}
	defer cl.Close()
	cons, err := sarama.NewConsumerFromClient(cl)
	if err != nil {
		return fail("consumer: %v", err)
	}
	defer cons.Close()
	pc, err := cons.ConsumePartition(o.topic, 0, sarama.OffsetOldest)
	if err != nil {
		return fail("consume partition: %v", err)
	}
	defer pc.Close()
	check := &bulkChecker{codecs: codecs}
	for check.next < bulkN {
		select {
		case m := <-pc.Messages():
			var hs [][2]string
			for _, h := range m.Headers {
				hs = append(hs, [2]string{string(h.Key), string(h.Value)})
			}
			check.check(m.Offset, m.Key, m.Value, hs, m.Timestamp.UnixMilli())
		case e := <-pc.Errors():
			return fail("consume: %v", e)
		case <-time.After(60 * time.Second):
			return fail("no record for 60s after %d of %d", check.next, bulkN)
		case <-ctx.Done():
			return fail("timed out after %d of %d records", check.next, bulkN)
		}
	}
	end, err := cl.GetOffset(o.topic, 0, sarama.OffsetNewest)
	if err != nil {
		return fail("log end offset: %v", err)
	}
	if err := check.finish(end); err != nil {
		return fail("%v", err)
	}
	return pass("%d records (codecs %s) produced in %d ms, consumed and compared in %d ms",
		bulkN, strings.Join(codecs, ","), produced.Milliseconds(), (time.Since(t0) - produced).Milliseconds())
}

func kafkaGoBulk(context.Context, opts) outcome {
	return na("the bulk check covers Go with franz-go and Sarama")
}

// crash-retry (compat/README.md) runs with the Java and librdkafka idempotent producers only.
func goCrashRetry(context.Context, opts) outcome {
	return na("crash-retry runs with the Java and librdkafka (confluent-kafka) idempotent producers")
}
