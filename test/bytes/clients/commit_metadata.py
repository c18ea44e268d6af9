"""confluent-kafka (librdkafka) commits an offset with metadata through one gateway and reads it back
through another. librdkafka sends the metadata with a trailing NUL byte. Prints one JSON line."""
import json
import sys

import confluent_kafka as ck

bootstrap_a, bootstrap_b, topic, group = sys.argv[1:5]
result = {}
a = ck.Consumer({'bootstrap.servers': bootstrap_a, 'group.id': group, 'client.id': 'bytes-py',
                 'enable.auto.commit': False})
committed = a.commit(offsets=[ck.TopicPartition(topic, 0, 5, metadata='meta')], asynchronous=False)
result['commit_error'] = str(committed[0].error) if committed[0].error else None
a.close()
b = ck.Consumer({'bootstrap.servers': bootstrap_b, 'group.id': group, 'enable.auto.commit': False})
tp = b.committed([ck.TopicPartition(topic, 0)], timeout=30)[0]
result['offset'] = tp.offset
result['metadata'] = tp.metadata
result['error'] = str(tp.error) if tp.error else None
b.close()
print(json.dumps(result))
