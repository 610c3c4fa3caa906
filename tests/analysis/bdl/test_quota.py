"""The client-side limiter, on a fake clock: expected times worked out by hand from BDL's windows."""

from analysis.bdl.quota import ANONYMOUS_LIMITS, KEYED_LIMITS, Quota, limits_for


class FakeClock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_the_sixth_request_in_a_second_waits_for_the_next_second():
    clock = FakeClock()
    quota = Quota(ANONYMOUS_LIMITS, clock=clock, sleep=clock.sleep)
    waits = [quota.acquire() for _ in range(6)]
    assert waits == [0, 0, 0, 0, 0, 1.0]


def test_the_101st_anonymous_request_waits_for_the_15_minute_window():
    clock = FakeClock()
    start = clock.now
    quota = Quota(ANONYMOUS_LIMITS, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        quota.acquire()
    # 100 requests at 5 per second: the last one goes out 19 s after the first.
    assert clock.now - start == 19
    quota.acquire()
    assert clock.now - start == 900  # the first request leaves the 15-minute window


def test_finish_time_of_a_thousand_anonymous_requests():
    # 100 per 15 min: batch k (k = 0..9) starts at 900·k and takes 19 s at 5/s → 8 119 s.
    quota = Quota(ANONYMOUS_LIMITS, clock=FakeClock(), sleep=lambda s: None)
    assert quota.finish_time(1000) == 8119
    # the 1 001st must wait for the 12-hour window to release the first request
    assert quota.finish_time(1001) == 12 * 3600
    # with a key: 500 per 15 min at 10/s → 2 batches, the second from 900 s, 49.9 s long → 949 s
    keyed = Quota(KEYED_LIMITS, clock=FakeClock(), sleep=lambda s: None)
    assert keyed.finish_time(1000) == 949


def test_the_history_carries_over_to_the_next_run(tmp_path):
    clock = FakeClock()
    history = tmp_path / "quota-history.json"
    first = Quota(ANONYMOUS_LIMITS, history, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        first.acquire()
    start = clock.now - 19
    second = Quota(ANONYMOUS_LIMITS, history, clock=clock, sleep=clock.sleep)
    second.acquire()
    assert clock.now - start == 900


def test_a_server_on_this_machine_is_not_throttled_but_gus_is():
    assert limits_for("http://127.0.0.1:8080/api/v1", keyed=False) == ()
    assert limits_for("https://bdl.stat.gov.pl/api/v1", keyed=False) == ANONYMOUS_LIMITS
    assert limits_for("https://bdl.stat.gov.pl/api/v1", keyed=True) == KEYED_LIMITS
