"""Bursts on a real server with workers: 100 parallel logins never answer 5xx and the API keeps serving;
10 parallel refreshes of one token answer once, and their losers are no ERROR in the server log
(test_99_server_log reads it at the end of the run)."""

import threading
import time
import uuid
from collections import Counter

import requests
from conftest import check_envelope

BURST = 100


def send(method, url, resets, **kwargs):
    """One HTTP answer; a connection reset before any answer is tried again (at most 5 times).

    Odoo's prefork server listens with a backlog of 8 connections per worker: a burst beyond it is
    refused at the TCP level before any request is read (a proxy in front queues it in production).
    Those are counted in ``resets``; what this test asserts is every HTTP answer the server gives.
    """
    for attempt in range(5):
        try:
            return requests.request(method, url, timeout=300, **kwargs)
        except requests.ConnectionError:
            resets.append(url)
            time.sleep(1 + attempt)
    return None


def test_a_hundred_parallel_logins_never_5xx(api, manager_token):
    tag = uuid.uuid4().hex[:8]
    bodies = [{"login": f"nobody.{tag}.{i}", "password": "wrong-password"} for i in range(BURST - 10)]
    bodies += [{"login": f"nobody.{tag}", "password": f"wrong-{i}"} for i in range(10)]
    barrier = threading.Barrier(len(bodies) + 1)
    answers, reads, resets = [None] * len(bodies), [], []

    def login(index, body):
        barrier.wait()
        answers[index] = send("POST", f"{api.base_url}/api/auth/login", resets, json=body)

    def read():
        barrier.wait()
        time.sleep(1)  # in the thick of the burst
        headers = {"Authorization": f"Bearer {manager_token}"}
        reads.append(send("GET", f"{api.base_url}/api/auth/me", resets, headers=headers))

    threads = [threading.Thread(target=login, args=(i, body)) for i, body in enumerate(bodies)]
    threads.append(threading.Thread(target=read))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(400)
    assert None not in answers, "a login did not answer"
    for response in answers:
        check_envelope(response)  # no 5xx, the envelope
    statuses = sorted(response.status_code for response in answers)
    assert set(statuses) <= {401, 429}, statuses
    for response in answers:
        if response.status_code == 429 and response.json()["code"] == "too_many_logins":
            assert response.headers.get("Retry-After") == "1", response.headers
    assert [response.status_code for response in reads] == [200]
    print(f"100 parallel logins: {dict(Counter(statuses))}, {len(resets)} TCP resets retried")


def test_parallel_refreshes_of_one_token_rotate_once(api):
    refresh = api.login("ke.agent")["refresh_token"]
    barrier = threading.Barrier(10)
    answers = [None] * 10

    def send(index):
        barrier.wait()
        answers[index] = requests.post(f"{api.base_url}/api/auth/refresh", json={"refresh_token": refresh}, timeout=120)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    for response in answers:
        check_envelope(response)
    assert sorted(response.status_code for response in answers) == [200] + [401] * 9
