"""The state machine table itself: every status reachable, and the rules DESIGN.md states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.orders import workflow


def test_every_status_is_reachable_from_submitted() -> None:
    reached, frontier = {"submitted"}, ["submitted"]
    while frontier:
        status = frontier.pop()
        for t in workflow.TRANSITIONS:
            if t.source == status and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(workflow.STATUSES)


def test_terminal_statuses_have_no_way_out() -> None:
    for status in ("closed", "rejected", "cancelled"):
        assert not [t for t in workflow.TRANSITIONS if t.source == status]


def test_resident_cancels_only_before_acceptance_and_worker_before_completion() -> None:
    now = datetime.now(UTC)
    resident = [
        s for s in workflow.STATUSES if "cancel" in workflow.allowed_actions(s, {"owner"}, now=now)
    ]
    worker = [
        s for s in workflow.STATUSES if "cancel" in workflow.allowed_actions(s, {"worker"}, now=now)
    ]
    assert resident == ["submitted", "dispatched"]
    assert worker == ["submitted", "dispatched", "accepted", "in_progress"]


def test_reopen_only_within_seven_days() -> None:
    now = datetime.now(UTC)
    fresh = workflow.allowed_actions("completed", {"owner"}, completed_at=now, now=now)
    stale = workflow.allowed_actions(
        "completed", {"owner"}, completed_at=now - timedelta(days=7, minutes=1), now=now
    )
    assert "reopen" in fresh and "reopen" not in stale and "rate" in stale
