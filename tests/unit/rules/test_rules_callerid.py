"""The caller-ID pool: rotation, local presence, numbers refused with 422, an empty pool."""

from __future__ import annotations

import pytest

from campaign.errors import FatalAPIError, InputError
from campaign.rules.callerid import CallerIdPool, NoCallerIdLeft

NYC_212 = "+12125550100"
NYC_212_B = "+12125550199"
LA_310 = "+13105550100"
LONDON = "+442079460000"
TORONTO = "+14165550100"


def test_numbers_take_turns() -> None:
    pool = CallerIdPool([NYC_212, LA_310, LONDON])
    assert [pool.choose("+12125559999") for _ in range(7)] == [
        NYC_212, LA_310, LONDON, NYC_212, LA_310, LONDON, NYC_212,
    ]  # fmt: skip


def test_without_local_presence_the_contact_does_not_matter() -> None:
    pool = CallerIdPool([NYC_212, LONDON])
    assert pool.choose("+447911123456") == NYC_212


def test_local_presence_picks_the_same_country() -> None:
    pool = CallerIdPool([NYC_212, LA_310, LONDON], local_presence=True)
    # A UK mobile (phonenumbers says Guernsey's range) shares +44 with the London number.
    assert pool.choose("+447911123456") == LONDON
    assert pool.choose("+447911123457") == LONDON


def test_local_presence_picks_the_same_area_code() -> None:
    pool = CallerIdPool([LA_310, LONDON, NYC_212], local_presence=True)
    assert pool.choose("+12125559999") == NYC_212
    assert pool.choose("+13105559999") == LA_310
    assert pool.choose("+12125558888") == NYC_212


def test_local_presence_rotates_among_equally_close_numbers() -> None:
    pool = CallerIdPool([NYC_212, LONDON, NYC_212_B, LA_310], local_presence=True)
    assert [pool.choose("+12125559999") for _ in range(3)] == [NYC_212, NYC_212_B, NYC_212]
    # A 646 (New York) contact: no area code matches; of the US numbers, the one unused
    # longest goes.
    assert pool.choose("+16465550100") == LA_310


def test_local_presence_prefers_the_region_then_the_country_code() -> None:
    pool = CallerIdPool([LONDON, TORONTO, LA_310], local_presence=True)
    assert pool.choose("+16465550100") == LA_310  # US contact: the US number
    assert pool.choose("+15145550100") == TORONTO  # Montreal: the Canadian number
    only_us = CallerIdPool([LONDON, LA_310], local_presence=True)
    assert only_us.choose("+15145550100") == LA_310  # NANP shares +1


def test_local_presence_falls_back_to_rotation() -> None:
    pool = CallerIdPool([NYC_212, LONDON], local_presence=True)
    assert [pool.choose("+33612345678") for _ in range(3)] == [NYC_212, LONDON, NYC_212]


def test_a_refused_number_leaves_the_pool_with_a_warning() -> None:
    pool = CallerIdPool([NYC_212, LA_310, LONDON])
    assert pool.choose("+12125559999") == NYC_212
    pool.remove(LA_310, "422: from_number not assigned to the account")
    pool.remove(LA_310, "422 again")  # a second concurrent refusal changes nothing
    assert pool.available == [NYC_212, LONDON]
    assert len(pool) == 2
    assert [r.number for r in pool.removed] == [LA_310]
    assert pool.warnings == [
        f"from-number {LA_310} taken out of the pool: 422: from_number not assigned to the account"
    ]
    assert [pool.choose("+12125559999") for _ in range(3)] == [LONDON, NYC_212, LONDON]


def test_local_presence_after_the_local_number_is_refused() -> None:
    pool = CallerIdPool([NYC_212, LA_310, LONDON], local_presence=True)
    pool.remove(LONDON, "422")
    assert pool.choose("+447911123456") == NYC_212  # rotation


def test_empty_pool_stops_the_campaign() -> None:
    pool = CallerIdPool([NYC_212, LONDON])
    pool.remove(NYC_212, "422 not assigned")
    pool.remove(LONDON, "422 not assigned")
    with pytest.raises(NoCallerIdLeft) as caught:
        pool.choose("+12125559999")
    assert isinstance(caught.value, FatalAPIError)
    assert caught.value.exit_code == 1
    assert (
        NYC_212 in caught.value.message and "assigned to your Voicy account" in caught.value.message
    )


def test_bad_from_numbers_are_refused_up_front() -> None:
    with pytest.raises(InputError, match="at least one --from"):
        CallerIdPool([])
    with pytest.raises(InputError, match=r"E\.164"):
        CallerIdPool(["2125550100"])
    with pytest.raises(InputError, match=r"E\.164"):
        CallerIdPool(["+0"])


def test_duplicates_are_one_number() -> None:
    assert CallerIdPool([NYC_212, f" {NYC_212} ", LONDON]).available == [NYC_212, LONDON]
