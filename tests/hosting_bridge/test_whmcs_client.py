# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The WHMCS client against the fake platform: shapes, paging, errors,
retries, timeouts and the request rate."""

import time
from datetime import date
from decimal import Decimal

import pytest

from hosting_bridge.errors import (
    PlatformAuthError,
    PlatformBusinessError,
    PlatformProtocolError,
    PlatformUnavailable,
)
from hosting_bridge.ratelimit import TokenBucket
from hosting_bridge.whmcs import WhmcsPlatform


def test_every_request_carries_the_action_the_credentials_and_json(fake, make_platform):
    """Test that a request is the documented form: action, identifier, secret, accesskey, responsetype."""
    fake.accesskey = "k3y"
    fake.add_client()
    platform = WhmcsPlatform(fake.url, fake.identifier, fake.secret, accesskey="k3y")
    platform.check()
    _t, action, params = fake.requests[-1]
    assert action == "GetClients"
    assert params["identifier"] == fake.identifier
    assert params["secret"] == fake.secret
    assert params["accesskey"] == "k3y"
    assert params["responsetype"] == "json"


def test_client_listing_reads_every_page(fake, make_platform):
    """Test that the clients are read page by page with limitstart/limitnum until totalresults."""
    fake.populate(clients=23, services=0, domains=0)
    platform = make_platform(page_size=10, client_details=False)
    pages = list(platform.client_pages())
    assert [(p.start, len(p.items), p.total) for p in pages] == [(0, 10, 23), (10, 10, 23), (20, 3, 23)]
    assert [c.id for p in pages for c in p.items] == list(range(1, 24))
    starts = [int(p["limitstart"]) for _t, a, p in fake.requests if a == "GetClients"]
    assert starts == [0, 10, 20]


def test_client_details_give_currency_and_credit_as_decimal(fake, make_platform):
    """Test that with details a client carries its currency and its credit as a Decimal."""
    fake.add_client("ada@example.com", currency="USD", credit="12.30")
    (page,) = list(make_platform().client_pages())
    (client,) = page.items
    assert client.email == "ada@example.com"
    assert client.currency == "USD"
    assert client.credit == Decimal("12.30")
    assert client.created == date(2026, 1, 15)
    assert client.as_odoo()["created"] == "2026-01-15"
    assert "credit" not in client.as_odoo()


def test_empty_listing_is_one_empty_page(fake, make_platform):
    """Test that a platform without clients gives one empty page with a total of 0."""
    pages = list(make_platform().client_pages())
    assert len(pages) == 1
    assert pages[0].items == () and pages[0].total == 0


def test_services_and_domains_are_parsed_with_states_and_dates(fake, make_platform):
    """Test that services and domains come with neutral states, dates and Decimal amounts."""
    client_id = fake.add_client()
    fake.add_service(client_id, pid=3, status="Suspended", amount="24.95", diskusage=512,
                     lastupdate="2026-11-20 13:00:00")
    fake.add_domain(client_id, "example.it", status="Grace", expirydate="2026-11-01", donotrenew=True)
    platform = make_platform()
    (service,) = platform.iter_items(platform.service_pages())
    assert (service.client_id, service.product_id, service.status) == (client_id, 3, "suspended")
    assert service.recurring_amount == Decimal("24.95")
    assert service.next_due_date == date(2026, 12, 25)
    assert service.disk_usage_mb == Decimal(512)
    assert service.usage_updated.hour == 13
    (domain,) = platform.iter_items(platform.domain_pages(client_id=client_id))
    assert (domain.name, domain.status, domain.expiry_date) == ("example.it", "expired", date(2026, 11, 1))
    assert domain.auto_renew is False
    assert domain.as_odoo()["recurring_amount"] == "9.90"


def test_add_funds_invoice_is_recognised_by_its_lines(fake, make_platform):
    """Test that GetInvoice's lines tell an add-funds invoice from another one."""
    client_id = fake.add_client()
    funds = fake.add_invoice(client_id, [("AddFunds", "50.00")])
    hosting = fake.add_invoice(client_id, [("Hosting", "12.95"), ("AddFunds", "5.00")])
    fake.pay_invoice(funds)
    platform = make_platform()
    invoice = platform.get_invoice(funds)
    assert invoice.is_add_funds and invoice.status == "Paid"
    assert invoice.as_odoo() == {"id": funds, "client_id": client_id, "amount": "50.00", "currency": False,
                                 "date_paid": "2026-11-21 10:00:00"}
    assert not platform.get_invoice(hosting).is_add_funds
    paid = list(platform.iter_items(platform.invoice_pages(status="Paid")))
    assert [i.id for i in paid] == [funds]
    assert paid[0].currency == "EUR"


def test_add_credit_and_remove_credit_change_the_balance(fake, make_platform):
    """Test that AddCredit adds and removes credit and returns the new balance."""
    client_id = fake.add_client(credit="10.00")
    platform = make_platform()
    assert platform.add_credit(client_id, Decimal("5.50"), "top up") == Decimal("15.50")
    assert platform.add_credit(client_id, Decimal("3.00"), "usage", remove=True) == Decimal("12.50")
    log = platform.credit_log(client_id)
    assert [(e.description, e.amount) for e in log] == [("top up", Decimal("5.50")), ("usage", Decimal("-3.00"))]
    _t, _a, params = fake.requests[-2]
    assert params["type"] == "remove" and params["amount"] == "3.00"


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1"), Decimal("NaN"), 5.0])
def test_absurd_credit_amounts_are_refused_before_any_request(fake, make_platform, amount):
    """Test that a zero, negative, non-finite or float amount never reaches the platform."""
    client_id = fake.add_client()
    platform = make_platform()
    sent = len(fake.requests)
    with pytest.raises(ValueError):
        platform.add_credit(client_id, amount, "nothing")
    assert len(fake.requests) == sent


def test_business_error_is_raised_with_the_platform_message_and_not_retried(fake, make_platform):
    """Test that result=error (unknown client) raises once, with the platform's message, without retry."""
    platform = make_platform(retries=3)
    with pytest.raises(PlatformBusinessError) as error:
        platform.get_client(999)
    assert error.value.message == "Client Not Found"
    assert fake.actions() == ["GetClientsDetails"]


def test_unknown_action_is_a_business_error(fake, make_platform):
    """Test that an action the platform does not know is reported with its message."""
    with pytest.raises(PlatformBusinessError, match="Command Not Found"):
        make_platform().call("GetNothing")


def test_bad_credentials_raise_an_authentication_error_without_retry(fake):
    """Test that refused credentials raise PlatformAuthError at once."""
    platform = WhmcsPlatform(fake.url, fake.identifier, "wrong", retries=3, backoff=0.01)
    with pytest.raises(PlatformAuthError, match="Authentication Failed"):
        platform.check()
    assert len(fake.requests) == 1


def test_reads_are_retried_on_5xx_until_the_platform_answers(fake, make_platform):
    """Test that a reading action is sent again after 503 and 500 answers and then succeeds."""
    fake.add_client()
    fake.fail_next, fake.fail_status = 2, 500
    assert make_platform(retries=3).check()["clients"] == 1
    assert len(fake.requests) == 3


def test_reads_give_up_after_the_retries(fake, make_platform):
    """Test that a platform answering 503 forever raises PlatformUnavailable after 1 + retries attempts."""
    fake.down("503")
    with pytest.raises(PlatformUnavailable, match="after 3 attempts"):
        make_platform(retries=2).check()
    assert len(fake.requests) == 3


def test_retries_back_off_exponentially(fake):
    """Test that the waits between attempts double (within their jitter) and are capped."""
    fake.down("503")
    waits = []
    platform = WhmcsPlatform(fake.url, fake.identifier, fake.secret, retries=4, backoff=1, max_backoff=3,
                             rate=1000, burst=1000, sleep=waits.append)
    with pytest.raises(PlatformUnavailable):
        platform.check()
    assert len(waits) == 4
    for wait, base in zip(waits, [1, 2, 3, 3], strict=True):
        assert base / 2 <= wait <= base


def test_reads_are_retried_when_the_platform_is_down_then_back(fake, make_platform):
    """Test that connection refused is retried and the call succeeds once the platform is back."""
    fake.add_client()
    fake.down()
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 2:
            fake.up()

    platform = WhmcsPlatform(fake.url, fake.identifier, fake.secret, retries=4, backoff=0.01, rate=1000,
                             burst=1000, sleep=sleep)
    assert platform.check()["clients"] == 1
    assert len(waits) == 2


def test_writes_are_retried_when_the_request_never_arrived(fake, make_platform):
    """Test that AddCredit is sent again after connection refused and 503, which processed nothing."""
    client_id = fake.add_client()
    fake.down()
    calls = []

    def sleep(seconds):
        calls.append(seconds)
        if len(calls) == 1:
            fake.up()
            fake.fail_next, fake.fail_status = 1, 503

    platform = WhmcsPlatform(fake.url, fake.identifier, fake.secret, retries=4, backoff=0.01, rate=1000,
                             burst=1000, sleep=sleep)
    assert platform.add_credit(client_id, Decimal("1.00"), "after outage") == Decimal("1.00")
    assert len(fake.credits[client_id]) == 1


def test_writes_are_not_retried_after_a_doubtful_failure(fake, make_platform):
    """Test that AddCredit answered by a 500 is not sent again: it may have been applied."""
    client_id = fake.add_client()
    fake.fail_next, fake.fail_status = 1, 500
    with pytest.raises(PlatformUnavailable, match="after 1 attempts"):
        make_platform(retries=3).add_credit(client_id, Decimal("1.00"), "once")
    assert len(fake.requests) == 1


def test_slow_answers_time_out_and_reads_are_retried(fake, make_platform):
    """Test that an answer slower than the timeout fails with PlatformUnavailable after the retries."""
    fake.delay = 0.5
    started = time.monotonic()
    with pytest.raises(PlatformUnavailable, match="ReadTimeout"):
        make_platform(timeout=0.1, retries=1).check()
    assert time.monotonic() - started < 2
    fake.delay = 0


def test_a_non_json_answer_is_a_protocol_error(fake, make_platform):
    """Test that a URL that is not the platform's root gives a clear protocol error."""
    platform = WhmcsPlatform(fake.url + "/wrong", fake.identifier, fake.secret, retries=0)
    with pytest.raises(PlatformProtocolError, match="root"):
        platform.check()


def test_module_commands_change_the_service_or_report_the_module_error(fake, make_platform):
    """Test that ModuleSuspend/Unsuspend/Terminate act on the service and relay a module's refusal."""
    client_id = fake.add_client()
    service_id = fake.add_service(client_id)
    platform = make_platform()
    platform.suspend_service(service_id, "Prepaid credit exhausted")
    assert platform.get_service(service_id).status == "suspended"
    assert fake.services[service_id]["suspensionreason"] == "Prepaid credit exhausted"
    platform.unsuspend_service(service_id)
    assert platform.get_service(service_id).status == "active"
    fake.module_errors[service_id] = "Server connection failed"
    with pytest.raises(PlatformBusinessError, match="Server connection failed"):
        platform.terminate_service(service_id)
    with pytest.raises(PlatformBusinessError, match="Service ID Not Found"):
        platform.get_service(9999)


def test_domain_renewal_extends_the_expiry(fake, make_platform):
    """Test that DomainRenew moves the expiry date by the period asked."""
    client_id = fake.add_client()
    domain_id = fake.add_domain(client_id, "renew.it", expirydate="2027-01-10")
    platform = make_platform()
    platform.renew_domain(domain_id, years=2)
    assert platform.get_domain(domain_id).expiry_date == date(2029, 1, 10)


def test_requests_respect_the_rate_limit(fake):
    """Test that 12 requests at 40/s with a burst of 4 take at least (12 - 4) / 40 seconds."""
    platform = WhmcsPlatform(fake.url, fake.identifier, fake.secret, rate=40, burst=4)
    started = time.monotonic()
    for _n in range(12):
        platform.check()
    elapsed = time.monotonic() - started
    assert elapsed >= 8 / 40 * 0.95
    times = [t for t, _a, _p in fake.requests]
    # No window of one second holds more than burst + rate requests.
    assert all(sum(1 for u in times if t <= u < t + 1) <= 44 for t in times)


def test_token_bucket_waits_only_past_the_burst():
    """Test that the bucket lets the burst through and then spaces acquisitions by 1 / rate."""
    now = [0.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(rate=10, burst=3, clock=lambda: now[0], sleep=sleep)
    for _n in range(5):
        bucket.acquire()
    assert waits == pytest.approx([0.1, 0.1])
    with pytest.raises(ValueError):
        TokenBucket(rate=0)


def test_clients_sharing_a_bucket_share_the_rate(fake):
    """Test that two clients given one bucket keep to its rate together, as the daemon's loops do."""
    bucket = TokenBucket(rate=40, burst=2)
    first, second = (WhmcsPlatform(fake.url, fake.identifier, fake.secret, bucket=bucket) for _n in range(2))
    started = time.monotonic()
    for _n in range(5):
        first.check()
        second.check()
    assert time.monotonic() - started >= 8 / 40 * 0.95
