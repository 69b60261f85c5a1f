# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The webhook receiver over real HTTP: signatures, the timestamp window,
replays and duplicates, malformed requests."""

import json
import threading
import time

import pytest
import requests

from hosting_bridge.webhook import MAX_BODY, SIGNATURE_HEADER, TIMESTAMP_HEADER, SeenEvents, WebhookReceiver, sign

SECRET = "webhook-secret"


@pytest.fixture
def received():
    return []


@pytest.fixture
def receiver(received):
    done = threading.Event()

    def handler(event):
        received.append(event)
        done.set()

    with WebhookReceiver(SECRET, handler, tolerance=300) as receiver:
        receiver.done = done
        yield receiver


def post(receiver, payload, *, secret=SECRET, timestamp=None, body=None, headers=None):
    body = body if body is not None else json.dumps(payload).encode()
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    sent = {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body),
            "Content-Type": "application/json"}
    sent.update(headers or {})
    return requests.post(f"http://127.0.0.1:{receiver.port}/webhook", data=body, headers=sent, timeout=5)


def event(event_id="evt-1", type_="client.added", **data):
    return {"id": event_id, "type": type_, "occurred_at": "2026-11-21T10:00:00Z", "data": data or {"client_id": 7}}


def wait_for(condition, seconds=5):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_signed_event_is_accepted_and_handled(receiver, received):
    """Test that a well-signed event gets 202 and reaches the handler with its data."""
    answer = post(receiver, event(client_id=42))
    assert answer.status_code == 202
    assert answer.json() == {"status": "accepted", "id": "evt-1"}
    assert receiver.done.wait(5)
    assert received[0].type == "client.added" and received[0].data == {"client_id": 42}


def test_bad_signature_is_refused_and_not_handled(receiver, received):
    """Test that a body signed with another secret gets 401 and is never handled."""
    answer = post(receiver, event(), secret="not-the-secret")
    assert answer.status_code == 401
    assert answer.json()["reason"] == "invalid signature"
    assert receiver.stats["refused"] == 1 and received == []


def test_tampered_body_is_refused(receiver, received):
    """Test that changing the body after signing it breaks the signature."""
    body = json.dumps(event(client_id=1)).encode()
    timestamp = str(int(time.time()))
    headers = {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(SECRET, timestamp, body)}
    forged = body.replace(b'"client_id": 1', b'"client_id": 2')
    answer = requests.post(f"http://127.0.0.1:{receiver.port}/webhook", data=forged, headers=headers, timeout=5)
    assert answer.status_code == 401 and received == []


def test_signature_covers_the_timestamp(receiver, received):
    """Test that a valid signature moved to another timestamp is refused."""
    body = json.dumps(event()).encode()
    old = str(int(time.time()) - 10)
    headers = {TIMESTAMP_HEADER: str(int(time.time())), SIGNATURE_HEADER: sign(SECRET, old, body)}
    answer = requests.post(f"http://127.0.0.1:{receiver.port}/webhook", data=body, headers=headers, timeout=5)
    assert answer.status_code == 401


@pytest.mark.parametrize("skew", [-301, 301, -86400])
def test_timestamp_outside_the_window_is_refused(receiver, received, skew):
    """Test that a correctly signed request older or newer than the window gets 401."""
    answer = post(receiver, event(), timestamp=int(time.time()) + skew)
    assert answer.status_code == 401
    assert "window" in answer.json()["reason"]
    assert received == []


def test_replay_of_the_same_event_is_answered_duplicate_and_handled_once(receiver, received):
    """Test that the same signed request sent again is 200 duplicate and handled once."""
    body = json.dumps(event("evt-replay")).encode()
    assert post(receiver, None, body=body).status_code == 202
    again = post(receiver, None, body=body)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    wait_for(lambda: receiver.stats["processed"] == 1)
    assert [e.id for e in received] == ["evt-replay"]
    assert receiver.stats["duplicates"] == 1


def test_duplicate_events_sent_in_parallel_are_taken_once(receiver, received):
    """Test that 8 parallel deliveries of one event give one 202 and seven duplicates."""
    body = json.dumps(event("evt-parallel")).encode()
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(post(receiver, None, body=body).status_code))
               for _n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200] * 7 + [202]
    wait_for(lambda: receiver.stats["processed"] == 1)
    assert len(received) == 1


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"type": "client.added", "data": {}}, 400),
        ({"id": "x", "type": "client.added"}, 400),
        ({"id": "x" * 129, "type": "client.added", "data": {}}, 400),
        ({"id": "x", "type": "client.deleted", "data": {}}, 422),
        ([1, 2], 400),
    ],
)
def test_malformed_events_are_refused_with_a_clear_status(receiver, received, payload, status):
    """Test that events without id or data, with an unknown type, or not an object are refused."""
    answer = post(receiver, payload)
    assert answer.status_code == status
    assert answer.json()["status"] == "refused"
    assert received == []


def test_missing_headers_non_json_and_oversized_bodies_are_refused(receiver):
    """Test that a request without signature headers, a non-JSON body and a huge body are refused."""
    url = f"http://127.0.0.1:{receiver.port}/webhook"
    assert requests.post(url, data=b"{}", timeout=5).status_code == 400
    assert post(receiver, None, body=b"not json").status_code == 400
    assert post(receiver, None, body=b"x" * (MAX_BODY + 1)).status_code == 413


def test_wrong_path_and_method_and_health(receiver):
    """Test that other paths are 404, GET on the webhook 405, and /healthz reports the counters."""
    base = f"http://127.0.0.1:{receiver.port}"
    assert post(receiver, event()).status_code == 202
    assert requests.post(base + "/other", data=b"{}", timeout=5).status_code == 404
    assert requests.get(base + "/webhook", timeout=5).status_code == 405
    health = requests.get(base + "/healthz", timeout=5).json()
    assert health["status"] == "ok" and health["accepted"] == 1


def test_a_failing_handler_is_counted_and_the_next_event_still_handled(received):
    """Test that an exception in the handler is logged and counted and the worker goes on."""

    def handler(event):
        if event.id == "boom":
            raise RuntimeError("Odoo is down")
        received.append(event)

    with WebhookReceiver(SECRET, handler) as receiver:
        assert post(receiver, event("boom")).status_code == 202
        assert post(receiver, event("fine")).status_code == 202
        wait_for(lambda: receiver.stats["processed"] == 1 and receiver.stats["failed"] == 1)
    assert [e.id for e in received] == ["fine"]


def test_seen_events_forget_ids_past_the_horizon_and_the_capacity():
    """Test that the id memory is bounded in time and in size."""
    seen = SeenEvents(horizon=10, capacity=3)
    assert seen.add("a", 0) and not seen.add("a", 5)
    assert seen.add("a", 11)  # forgotten after the horizon
    for name in "bcd":
        seen.add(name, 12)
    assert len(seen) == 3
    assert seen.add("a", 12)  # the oldest went first
