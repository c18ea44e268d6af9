"""librdkafka (confluent-kafka-python) over SASL_PLAINTEXT for kpg's SASL tests.

Usage: sasl_client.py BOOTSTRAP MECHANISM USER PASSWORD TOPIC SECONDS
Produces one record a second for SECONDS (at least one), reads them back, and prints one JSON line:
{"status": "pass", "produced": n, "consumed": n} or {"status": "error", "error": "..."}.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

bootstrap, mechanism, user, password, topic, seconds = sys.argv[1:7]
common = {
    'bootstrap.servers': bootstrap,
    'security.protocol': 'SASL_PLAINTEXT',
    'sasl.mechanism': mechanism,
    'sasl.username': user,
    'sasl.password': password,
}
errors = []


def on_error(err):
    errors.append(str(err))


try:
    producer = Producer({**common, 'error_cb': on_error, 'message.timeout.ms': 10000})
    count = max(1, int(seconds))
    delivered = []
    for i in range(count):
        producer.produce(topic, value=f'{mechanism}-{i}'.encode(), on_delivery=lambda err, msg: delivered.append(err))
        producer.flush(10)
        if errors and not delivered:
            break
        if i + 1 < count:
            time.sleep(1)
    if not delivered or any(d is not None for d in delivered):
        print(json.dumps({'status': 'error', 'error': errors[0] if errors else str(delivered)}))
        sys.exit(0)
    consumer = Consumer({**common, 'group.id': f'sasl-{mechanism}-{time.time()}', 'error_cb': on_error, 'enable.auto.commit': False})
    consumer.assign([TopicPartition(topic, 0, 0)])
    seen = 0
    deadline = time.time() + 15
    while time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is not None and msg.error() is None and msg.value().decode().startswith(mechanism):
            seen += 1
            if seen >= count:
                break
    consumer.close()
    print(json.dumps({'status': 'pass', 'produced': count, 'consumed': seen}))
except KafkaException as e:
    print(json.dumps({'status': 'error', 'error': str(e)}))
