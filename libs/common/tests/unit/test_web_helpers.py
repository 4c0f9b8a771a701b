import pytest

from mediabill_common.web.etag import check_if_match, etag_for
from mediabill_common.web.pagination import decode_cursor, encode_cursor, page_of
from mediabill_common.web.problems import PreconditionFailed, Unprocessable


def test_cursor_round_trips_and_garbage_is_a_422():
    assert decode_cursor(encode_cursor({"id": 42, "at": "2026-01-01"})) == {"id": 42, "at": "2026-01-01"}
    with pytest.raises(Unprocessable):
        decode_cursor("not-a-cursor!!")


def test_page_of_sets_next_cursor_only_when_more_rows_exist():
    page = page_of([1, 2, 3], 2, lambda last: {"id": last})
    assert page.items == [1, 2]
    assert decode_cursor(page.next_cursor) == {"id": 2}
    assert page_of([1, 2], 2, lambda last: {"id": last}).next_cursor is None


def test_if_match_with_a_stale_etag_is_412():
    check_if_match(None, 3)
    check_if_match(etag_for(3), 3)
    check_if_match('"3"', 3)
    with pytest.raises(PreconditionFailed):
        check_if_match(etag_for(2), 3)


def test_a_kpi_window_is_dates_included_at_both_ends():
    from datetime import UTC, date, datetime

    from mediabill_common.web.kpi_window import KpiWindow

    today = date(2026, 12, 7)
    day = KpiWindow.of("2026-10-07", "2026-10-07", today)
    assert (day.start, day.end) == (datetime(2026, 10, 7, tzinfo=UTC), datetime(2026, 10, 8, tzinfo=UTC))
    month = KpiWindow.of("2026-02", "2026-02", today)
    assert (month.first, month.last, month.first_period, month.last_period) == \
        (date(2026, 2, 1), date(2026, 2, 28), "2026-02", "2026-02")
    assert KpiWindow.of(None, None, today) == KpiWindow(date(2026, 11, 8), today)  # the 30 days ending today
    assert KpiWindow.of("2026-12-01", None, today).last == today
    for first, last in (("2026-10-08", "2026-10-07"), ("2026-02-30", None)):
        with pytest.raises(Unprocessable):
            KpiWindow.of(first, last, today)
