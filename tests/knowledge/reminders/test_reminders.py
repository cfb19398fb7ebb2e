"""Subscriptions, completion and the reminder ledger, against a real database.

Time is a ManualClock: days pass in microseconds. Each test gets a fresh
SQLite file; the two-process test runs on the PostgreSQL that CI starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine, select

from knowledge.db import make_engine
from knowledge.deadlines.queries import (
    UnknownProvinceError,
    add_deadline,
    delete_deadline,
    list_deadlines,
    parse_manual_deadline,
)
from knowledge.errors import UserFacingError
from knowledge.models import Deadline, DeadlineCompletion, Document, ReminderSent
from knowledge.provinces import Gazetteer, load_gazetteer
from knowledge.reminders.clock import ManualClock, ReminderPolicy
from knowledge.reminders.completion import progress_of, record_completion
from knowledge.reminders.ledger import (
    claim_due_reminders,
    ledger_rows,
    mark_sent,
    release_claim,
)
from knowledge.reminders.subscriptions import (
    SubscriptionFilter,
    deactivate,
    get_subscription,
    move_chat,
    parse_subscription_args,
    subscribe,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 2 March 2026, 07:00 in Vietnam: an hour before the reminders go out.
START = datetime(2026, 3, 2, 7, 0, tzinfo=TZ)
POLICY = ReminderPolicy(lead_days=(7, 1, 0), send_time=time(8, 0), tz=TZ)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'cdsbot.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def add_deadlines(engine: Engine, *rows: tuple[date, str, str]) -> list[int]:
    """One document holding deadlines (due, comma-separated provinces, task); their ids."""
    with Session(engine) as session:
        document = Document(title="Chỉ thị thử", content_hash=uuid.uuid4().hex, provinces="")
        session.add(document)
        session.flush()
        assert document.id is not None
        deadlines = [
            Deadline(document_id=document.id, due=due, precision="day", task=task, provinces=provinces, quote=task)
            for due, provinces, task in rows
        ]
        session.add_all(deadlines)
        session.commit()
        return [d.id for d in deadlines if d.id is not None]


def join(engine: Engine, chat_id: int, gazetteer: Gazetteer, args: str, now: datetime) -> None:
    subscribe(
        engine,
        chat_id=chat_id,
        chat_type="private",
        chat_title=None,
        wanted=parse_subscription_args(args, gazetteer),
        default_lead_days=POLICY.lead_days,
        user_id=chat_id,
        now=now,
    )


def claim_all(engine: Engine, gazetteer: Gazetteer, now: datetime, policy: ReminderPolicy = POLICY) -> list[tuple]:
    """Claim and mark sent everything due; (chat, deadline or None, kind) for each claim."""
    claimed = []
    after = 0
    while True:
        batch = claim_due_reminders(engine, policy, gazetteer, now, after=after, batch_size=3)
        for claim in batch.claims:
            mark_sent(engine, claim.ledger_id, now=now, message_id=1)
            claimed.append((claim.chat_id, claim.deadline.id if claim.deadline else None, claim.kind))
        if batch.next_after is None:
            return claimed
        after = batch.next_after


def deadline_claims(claims: list[tuple]) -> list[tuple]:
    return [c for c in claims if not c[2].startswith(("digest", "admin-digest"))]


# --------------------------------------------------------------------------- parsing /dangky


def test_subscription_args_split_provinces_topics_and_lead_days(gazetteer: Gazetteer) -> None:
    wanted = parse_subscription_args("Hải Dương tỉnh Vĩnh Phúc dịch vụ công, chữ ký số nhắc 3,0", gazetteer)
    assert wanted == SubscriptionFilter(("Hải Dương", "Vĩnh Phúc"), ("dịch vụ công", "chữ ký số"), (3, 0))


def test_subscription_args_accept_unaccented_names_and_all(gazetteer: Gazetteer) -> None:
    assert parse_subscription_args("hai duong, tp.hcm", gazetteer).provinces == ("Hải Dương", "Hồ Chí Minh")
    assert parse_subscription_args("tất cả", gazetteer) == SubscriptionFilter()


def test_subscription_args_refuse_absurd_lead_days(gazetteer: Gazetteer) -> None:
    with pytest.raises(UserFacingError):
        parse_subscription_args("Hải Dương nhắc 400", gazetteer)


# --------------------------------------------------------------------------- listing


def test_province_filter_relates_old_and_new_names_but_not_siblings(engine: Engine, gazetteer: Gazetteer) -> None:
    hai_duong, vinh_phuc, national = add_deadlines(
        engine,
        (date(2026, 3, 20), "Hải Dương", "a"),
        (date(2026, 3, 21), "Vĩnh Phúc", "b"),
        (date(2026, 3, 22), "", "c"),
    )
    listed = lambda p: [v.id for v in list_deadlines(engine, gazetteer, today=date(2026, 3, 1), provinces=[p])]  # noqa: E731
    assert listed("hai duong") == [hai_duong]
    assert listed("TP. Hải Phòng") == [hai_duong]
    assert listed("Phú Thọ") == [vinh_phuc]
    assert listed("Hòa Bình") == []
    everything = list_deadlines(engine, gazetteer, today=date(2026, 3, 1))
    assert [v.id for v in everything] == [hai_duong, vinh_phuc, national]
    with pytest.raises(UnknownProvinceError):
        list_deadlines(engine, gazetteer, today=date(2026, 3, 1), provinces=["Atlantis"])


def test_past_deadlines_listed_only_when_asked(engine: Engine, gazetteer: Gazetteer) -> None:
    past, future = add_deadlines(engine, (date(2026, 2, 1), "", "old"), (date(2026, 3, 1), "", "today"))
    assert [v.id for v in list_deadlines(engine, gazetteer, today=date(2026, 3, 1))] == [future]
    assert [v.id for v in list_deadlines(engine, gazetteer, today=date(2026, 3, 1), include_past=True)] == [past, future]


def test_manual_deadline_parsed_and_stored(engine: Engine, gazetteer: Gazetteer) -> None:
    manual = parse_manual_deadline("30/09/2026 | Hoàn thành cổng dịch vụ công | Sở KH&CN | hai duong", gazetteer)
    assert (manual.due, manual.agency, manual.provinces) == (date(2026, 9, 30), "Sở KH&CN", ("Hải Dương",))
    first = add_deadline(engine, manual, added_by="telegram:1")
    second = add_deadline(engine, manual, added_by="telegram:1")
    assert first.document_id == second.document_id  # one holder document for hand-added deadlines
    with pytest.raises(UserFacingError):
        parse_manual_deadline("31/02/2026 | x", gazetteer)


# --------------------------------------------------------------------------- the reminder timeline


def test_each_lead_time_is_claimed_once_at_its_hour(engine: Engine, gazetteer: Gazetteer, clock: ManualClock) -> None:
    [deadline] = add_deadlines(engine, (date(2026, 3, 12), "Hải Dương", "báo cáo"))
    join(engine, 42, gazetteer, "Hải Dương", clock.now())
    seen: dict[str, datetime] = {}
    # Every hour for two weeks, claiming twice each time: the second claim must find nothing.
    for _ in range(24 * 14):
        for kind in (c[2] for c in deadline_claims(claim_all(engine, gazetteer, clock.now()))):
            assert kind not in seen
            seen[kind] = clock.now()
        assert deadline_claims(claim_all(engine, gazetteer, clock.now())) == []
        clock.advance(timedelta(hours=1))
    assert seen == {
        "lead7": datetime(2026, 3, 5, 8, 0, tzinfo=TZ),
        "lead1": datetime(2026, 3, 11, 8, 0, tzinfo=TZ),
        "due": datetime(2026, 3, 12, 8, 0, tzinfo=TZ),
    }
    assert {r.deadline_id for r in ledger_rows(engine, 42) if r.deadline_id} == {deadline}


def test_missed_reminders_go_out_once_latest_only(engine: Engine, gazetteer: Gazetteer, clock: ManualClock) -> None:
    [deadline] = add_deadlines(engine, (date(2026, 3, 12), "", "báo cáo"))
    join(engine, 42, gazetteer, "tất cả", clock.now())
    # The bot was down from before lead7 until after lead1.
    clock.set(datetime(2026, 3, 11, 15, 0, tzinfo=TZ))
    assert deadline_claims(claim_all(engine, gazetteer, clock.now())) == [(42, deadline, "lead1")]
    assert deadline_claims(claim_all(engine, gazetteer, clock.now())) == []


def test_deadline_passed_long_ago_is_not_reminded(engine: Engine, gazetteer: Gazetteer, clock: ManualClock) -> None:
    add_deadlines(engine, (date(2026, 3, 3), "", "báo cáo"))
    join(engine, 42, gazetteer, "", clock.now())
    clock.set(datetime(2026, 3, 11, 9, 0, tzinfo=TZ))  # 8 days after the due day
    assert deadline_claims(claim_all(engine, gazetteer, clock.now())) == []


def test_reminders_due_before_subscribing_are_not_owed(engine: Engine, gazetteer: Gazetteer, clock: ManualClock) -> None:
    [deadline] = add_deadlines(engine, (date(2026, 3, 6), "", "báo cáo"))  # lead7 was 27/2
    join(engine, 42, gazetteer, "", clock.now())
    assert deadline_claims(claim_all(engine, gazetteer, clock.now())) == []
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=TZ))
    assert deadline_claims(claim_all(engine, gazetteer, clock.now())) == [(42, deadline, "lead1")]


def test_subscription_filters_provinces_and_topics(engine: Engine, gazetteer: Gazetteer, clock: ManualClock) -> None:
    public, signature, elsewhere = add_deadlines(
        engine,
        (date(2026, 3, 9), "Hải Dương", "Hoàn thành cung cấp dịch vụ công trực tuyến toàn trình"),
        (date(2026, 3, 9), "Hải Dương", "Cấp chữ ký số cho cán bộ"),
        (date(2026, 3, 9), "Quảng Trị", "Hoàn thành dịch vụ công"),
    )
    join(engine, 1, gazetteer, "Hải Phòng dich vu cong", clock.now())
    join(engine, 2, gazetteer, "Hải Dương", clock.now())
    join(engine, 3, gazetteer, "tất cả", clock.now())
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=TZ))
    claims = sorted(deadline_claims(claim_all(engine, gazetteer, clock.now())))
    assert claims == sorted(
        [
            (1, public, "lead7"),
            (2, public, "lead7"),
            (2, signature, "lead7"),
            (3, public, "lead7"),
            (3, signature, "lead7"),
            (3, elsewhere, "lead7"),
        ]
    )


def test_completion_stops_reminders_for_that_chat_only(engine: Engine, gazetteer: Gazetteer, clock: ManualClock) -> None:
    [deadline] = add_deadlines(engine, (date(2026, 3, 9), "", "báo cáo"))
    join(engine, 1, gazetteer, "", clock.now())
    join(engine, 2, gazetteer, "", clock.now())
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=TZ))
    assert len(deadline_claims(claim_all(engine, gazetteer, clock.now()))) == 2
    assert record_completion(
        engine, deadline_id=deadline, chat_id=1, user_id=7, user_name="An", done=True, now=clock.now()
    )
    clock.set(datetime(2026, 3, 9, 8, 0, tzinfo=TZ))
    assert deadline_claims(claim_all(engine, gazetteer, clock.now())) == [(2, deadline, "due")]
    [view] = list_deadlines(engine, gazetteer, today=date(2026, 3, 1))
    assert progress_of(engine, gazetteer, [view])[deadline].done == 1
    assert progress_of(engine, gazetteer, [view])[deadline].teams == 2


def test_not_done_keeps_reminding(engine: Engine, gazetteer: Gazetteer, clock: ManualClock) -> None:
    [deadline] = add_deadlines(engine, (date(2026, 3, 9), "", "báo cáo"))
    join(engine, 1, gazetteer, "", clock.now())
    record_completion(engine, deadline_id=deadline, chat_id=1, user_id=7, user_name="An", done=True, now=clock.now())
    assert record_completion(
        engine, deadline_id=deadline, chat_id=1, user_id=7, user_name="An", done=False, now=clock.now()
    )
    clock.set(datetime(2026, 3, 9, 8, 0, tzinfo=TZ))
    assert deadline_claims(claim_all(engine, gazetteer, clock.now())) == [(1, deadline, "due")]


def test_released_claim_is_claimed_again(engine: Engine, gazetteer: Gazetteer, clock: ManualClock) -> None:
    [deadline] = add_deadlines(engine, (date(2026, 3, 9), "", "báo cáo"))
    join(engine, 1, gazetteer, "", clock.now())
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=TZ))
    [claim] = [c for c in claim_due_reminders(engine, POLICY, gazetteer, clock.now()).claims if c.deadline]
    assert claim_due_reminders(engine, POLICY, gazetteer, clock.now()).claims == []
    release_claim(engine, claim.ledger_id)  # e.g. a network error
    again = [c for c in claim_due_reminders(engine, POLICY, gazetteer, clock.now()).claims if c.deadline]
    assert [(c.chat_id, c.deadline.id, c.kind) for c in again if c.deadline] == [(1, deadline, "lead7")]


def test_claim_abandoned_by_a_dead_process_is_retried_after_the_timeout(
    engine: Engine, gazetteer: Gazetteer, clock: ManualClock
) -> None:
    add_deadlines(engine, (date(2026, 3, 9), "", "báo cáo"))
    join(engine, 1, gazetteer, "", clock.now())
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=TZ))
    kinds = lambda: [c.kind for c in claim_due_reminders(engine, POLICY, gazetteer, clock.now()).claims]  # noqa: E731
    assert kinds() == ["lead7", "digest:2026-W10"]  # claimed, then the process dies before sending
    clock.advance(timedelta(minutes=30))
    assert kinds() == []
    clock.advance(POLICY.claim_timeout)
    assert kinds() == ["lead7", "digest:2026-W10"]


def test_restart_loses_nothing_and_repeats_nothing(tmp_path: Path, gazetteer: Gazetteer, clock: ManualClock) -> None:
    url = f"sqlite:///{tmp_path / 'cdsbot.sqlite3'}"
    first = make_engine(url)
    [deadline] = add_deadlines(first, (date(2026, 3, 12), "", "báo cáo"))
    join(first, 1, gazetteer, "", clock.now())
    clock.set(datetime(2026, 3, 5, 9, 0, tzinfo=TZ))
    assert deadline_claims(claim_all(first, gazetteer, clock.now())) == [(1, deadline, "lead7")]
    first.dispose()  # the process stops; the next one opens the same file
    clock.set(datetime(2026, 3, 11, 9, 0, tzinfo=TZ))
    second = make_engine(url)
    assert deadline_claims(claim_all(second, gazetteer, clock.now())) == [(1, deadline, "lead1")]
    assert deadline_claims(claim_all(second, gazetteer, clock.now())) == []
    second.dispose()


# --------------------------------------------------------------------------- digests


def test_weekly_digest_once_per_week_with_upcoming_and_overdue(
    engine: Engine, gazetteer: Gazetteer, clock: ManualClock
) -> None:
    overdue, soon, later = add_deadlines(
        engine, (date(2026, 3, 10), "", "quá hạn"), (date(2026, 3, 25), "", "sắp tới"), (date(2026, 6, 1), "", "xa")
    )
    join(engine, 1, gazetteer, "", clock.now())
    clock.set(datetime(2026, 3, 16, 7, 59, tzinfo=TZ))  # Monday, a minute early
    assert not [c for c in claim_due_reminders(engine, POLICY, gazetteer, clock.now()).claims if c.digest]
    clock.set(datetime(2026, 3, 16, 8, 0, tzinfo=TZ))
    [claim] = [c for c in claim_due_reminders(engine, POLICY, gazetteer, clock.now()).claims if c.digest]
    assert claim.kind == "digest:2026-W12"
    assert claim.digest is not None
    assert [v.id for v in claim.digest.upcoming] == [soon]
    assert [v.id for v in claim.digest.overdue] == [overdue]
    mark_sent(engine, claim.ledger_id, now=clock.now())
    clock.set(datetime(2026, 3, 19, 8, 0, tzinfo=TZ))
    assert not [c for c in claim_due_reminders(engine, POLICY, gazetteer, clock.now()).claims if c.digest]
    assert later not in {v.id for v in claim.digest.upcoming}


def test_admin_digest_lists_overdue_unfinished_and_stopped_chats(
    engine: Engine, gazetteer: Gazetteer, clock: ManualClock
) -> None:
    policy = ReminderPolicy(tz=TZ, admin_ids=frozenset({900}))
    finished, unfinished = add_deadlines(engine, (date(2026, 3, 10), "", "xong"), (date(2026, 3, 11), "", "chưa"))
    join(engine, 1, gazetteer, "", clock.now())
    join(engine, 2, gazetteer, "", clock.now())
    record_completion(engine, deadline_id=finished, chat_id=1, user_id=1, user_name=None, done=True, now=clock.now())
    record_completion(engine, deadline_id=finished, chat_id=2, user_id=2, user_name=None, done=True, now=clock.now())
    clock.set(datetime(2026, 3, 16, 8, 0, tzinfo=TZ))
    deactivate(engine, 2, "forbidden: bot was blocked by the user", clock.now())
    claims = [c for c in claim_due_reminders(engine, policy, gazetteer, clock.now()).claims if c.chat_id == 900]
    [claim] = claims
    assert claim.kind == "admin-digest:2026-W12" and claim.digest is not None
    assert [v.id for v in claim.digest.overdue] == [unfinished]
    assert [s.chat_id for s in claim.digest.stopped] == [2]


# --------------------------------------------------------------------------- housekeeping


def test_deleting_a_deadline_deletes_its_ledger_and_reports(
    engine: Engine, gazetteer: Gazetteer, clock: ManualClock
) -> None:
    [deadline] = add_deadlines(engine, (date(2026, 3, 9), "", "báo cáo"))
    join(engine, 1, gazetteer, "", clock.now())
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=TZ))
    claim_all(engine, gazetteer, clock.now())
    record_completion(engine, deadline_id=deadline, chat_id=1, user_id=1, user_name=None, done=True, now=clock.now())
    delete_deadline(engine, deadline)
    with Session(engine) as session:
        assert session.exec(select(ReminderSent).where(ReminderSent.deadline_id == deadline)).all() == []
        assert session.exec(select(DeadlineCompletion)).all() == []


def test_group_migration_keeps_subscription_and_ledger(engine: Engine, gazetteer: Gazetteer, clock: ManualClock) -> None:
    [deadline] = add_deadlines(engine, (date(2026, 3, 9), "", "báo cáo"))
    join(engine, -5, gazetteer, "", clock.now())
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=TZ))
    claim_all(engine, gazetteer, clock.now())
    move_chat(engine, -5, -1005, clock.now())
    assert get_subscription(engine, -1005) is not None
    assert deadline_claims(claim_all(engine, gazetteer, clock.now())) == []
    clock.set(datetime(2026, 3, 8, 8, 0, tzinfo=TZ))
    assert deadline_claims(claim_all(engine, gazetteer, clock.now())) == [(-1005, deadline, "lead1")]


def test_resubscribing_after_deactivation_starts_a_new_period(
    engine: Engine, gazetteer: Gazetteer, clock: ManualClock
) -> None:
    add_deadlines(engine, (date(2026, 3, 9), "", "báo cáo"))
    join(engine, 1, gazetteer, "", clock.now())
    deactivate(engine, 1, "forbidden: blocked", clock.now())
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    assert deadline_claims(claim_all(engine, gazetteer, clock.now())) == []
    join(engine, 1, gazetteer, "", clock.now())  # after the lead7 moment: that one is not owed
    subscription = get_subscription(engine, 1)
    assert subscription is not None and subscription.active and subscription.deactivated_reason is None
    assert deadline_claims(claim_all(engine, gazetteer, clock.now())) == []


# --------------------------------------------------------------------------- two processes on PostgreSQL

_WORKER = r"""
import json, sys
from datetime import datetime
from sqlmodel import create_engine
from knowledge.provinces import load_gazetteer
from knowledge.reminders.clock import ReminderPolicy
from knowledge.reminders.ledger import claim_due_reminders, mark_sent
from zoneinfo import ZoneInfo

url, schema, now_text, go_file = sys.argv[1:5]
engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
gazetteer = load_gazetteer()
policy = ReminderPolicy(tz=ZoneInfo("Asia/Ho_Chi_Minh"))
now = datetime.fromisoformat(now_text)
import os, time
while not os.path.exists(go_file):
    time.sleep(0.005)
claimed = []
for _ in range(3):  # several passes, as successive ticks would
    after = 0
    while True:
        batch = claim_due_reminders(engine, policy, gazetteer, now, after=after, batch_size=4)
        for claim in batch.claims:
            mark_sent(engine, claim.ledger_id, now=now)
            claimed.append([claim.deadline.id if claim.deadline else None, claim.chat_id, claim.kind])
        if batch.next_after is None:
            break
        after = batch.next_after
print(json.dumps(claimed))
"""


@pytest.fixture
def postgres_engine() -> Iterator[tuple[Engine, str, str]]:
    url = os.environ.get("CDSBOT_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("CDSBOT_TEST_POSTGRES_URL not set")
    schema = f"test_reminders_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    SQLModel.metadata.create_all(engine)
    try:
        yield engine, url, schema
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_two_processes_on_postgres_claim_each_reminder_once(
    postgres_engine: tuple[Engine, str, str], gazetteer: Gazetteer, tmp_path: Path
) -> None:
    engine, url, schema = postgres_engine
    deadlines = add_deadlines(engine, *[(date(2026, 3, 9), "", f"việc {i}") for i in range(5)])
    chats = list(range(1, 31))
    for chat in chats:
        join(engine, chat, gazetteer, "", START)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # lead7 of every deadline and Monday's digest, for every chat
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, url, schema, now.isoformat(), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(2)
    ]
    go.touch()
    outputs = [worker.communicate(timeout=60) for worker in workers]
    for worker, (_, err) in zip(workers, outputs):
        assert worker.returncode == 0, err
    claimed = [tuple(c) for out, _ in outputs for c in json.loads(out)]
    print("claims per process:", [len(json.loads(out)) for out, _ in outputs])
    expected = {(d, chat, "lead7") for d in deadlines for chat in chats} | {
        (None, chat, "digest:2026-W10") for chat in chats
    }
    assert len(claimed) == len(set(claimed)) == len(expected)
    assert set(claimed) == expected
    with Session(engine) as session:
        rows = session.exec(select(ReminderSent)).all()
    assert len(rows) == len(expected) and all(r.status == "sent" for r in rows)


def test_two_simultaneous_completion_presses_both_succeed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import threading
    from datetime import date, datetime, timezone

    from knowledge.db import make_engine
    from knowledge.library import DocumentInput, Library
    from knowledge.reminders.completion import record_completion

    library = Library(make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    result = library.ingest(
        DocumentInput(
            text="Kế hoạch số hoá\n\nUBND tỉnh yêu cầu Sở Nội vụ hoàn thành số hoá hồ sơ trước ngày 30/6/2030.",
            published=date(2029, 1, 5),
        )
    )
    deadline_id = result.deadlines[0].id
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def press(user: int) -> None:
        barrier.wait()
        try:
            record_completion(
                library.engine, deadline_id=deadline_id, chat_id=-100, user_id=user, user_name=None,
                done=True, now=datetime(2029, 6, 1, tzinfo=timezone.utc),
            )
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=press, args=(u,)) for u in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
