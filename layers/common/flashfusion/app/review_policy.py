"""Who may decide a review now: the reviewer group, or the brand kit's approval steps in order.

Without approval steps (``review.approvals`` empty) any member of the reviewer group decides, as before.
With steps, the review waits on one step at a time:

- only a member of the current step's group decides it (a reviewer outside that group: 403);
- an approve from that member records the step and, unless it is the last, the review stays pending and
  the workflow keeps waiting; the last approval resumes it; reject or regenerate at any step ends it;
- a decision for a step already done lost a race: 409 ``review_raced`` (who approved it is in the detail);
  a decision may name its step (``step``, from ``nextApproval.step``) to be sure of it;
- nobody approves their own request (the decider's ``sub`` equals the requester's: 403), and nobody
  approves two steps of one review;
- ``approve_with_edits`` belongs to the last step (an edit before it would change what the earlier
  approvers saw);
- an outside reviewer's link counts as the group of the step it was made for, and only at that step; the
  link's maker was a member of that group, not the requester (checked when it was made).
"""

from __future__ import annotations

from dataclasses import dataclass

from flashfusion.app.caller import Caller
from flashfusion.errors import Forbidden, InvalidRequest, ReviewConflict
from flashfusion.storage.review_links import ReviewLink
from flashfusion.storage.reviews import Review


@dataclass(frozen=True)
class Decider:
    """Who sends a decision: a signed-in user, or an outside reviewer through a shared link."""

    name: str
    """recorded as the review's reviewer: the user id (sub), or the name the outside reviewer gave"""
    user_id: str | None
    groups: frozenset[str]
    link: ReviewLink | None = None

    @classmethod
    def of(cls, caller: Caller) -> Decider:
        return cls(name=caller.user_id or "unknown", user_id=caller.user_id, groups=caller.groups)

    @property
    def recorded_as(self) -> str:
        """The reviewer named in the outcome and the provenance record (one string holds both for a link)."""
        return f"{self.name} (shared link {self.link.link_id})" if self.link else self.name


def current_group(review: Review, reviewer_group: str) -> str:
    """The group that decides the review now."""
    step = review.current_step
    if step is None or step >= len(review.approval_steps):
        return reviewer_group
    return review.approval_steps[step].group


def may_act_for(review: Review, caller: Caller, reviewer_group: str) -> bool:
    """Whether a signed-in caller may act on the review now (decide, upload, make a link)."""
    return caller.has_role(current_group(review, reviewer_group))


def check_not_requester(review: Review, user_id: str | None) -> None:
    if review.approval_steps and user_id and review.requested_by and user_id == review.requested_by:
        raise Forbidden("nobody approves their own request: another member of the group must")


def _raced(review: Review, message: str) -> ReviewConflict:
    return ReviewConflict(f"review {review.review_id}: {message}", status="raced")


def authorize(
    review: Review, decider: Decider, decision: str, reviewer_group: str, for_step: int | None = None
) -> None:
    """Forbidden (403) unless ``decider`` may send ``decision`` on ``review`` now; InvalidRequest for an
    edit before the last step. A decision for a step already done (``for_step`` behind the review, or a
    member of a done step's group only) lost a race: ReviewConflict (409 ``review_raced``), saying who won."""
    group = current_group(review, reviewer_group)
    step = review.current_step
    if step is not None and for_step is not None and for_step != step:
        raise _raced(review, f"the decision is for approval step {for_step + 1}; the review is at step {step + 1}")
    if decider.link is None and group not in decider.groups:
        done = [a for a in review.approvals if a.group in decider.groups]
        if done:
            winner = done[-1]
            raise _raced(review, f"the {winner.group!r} step was approved by {winner.by}; it now waits on {group!r}")
    if decider.link is not None:
        if step is not None and decider.link.step != step:
            raise Forbidden(
                f"this link was made for approval step {(decider.link.step or 0) + 1}; the review is at step {step + 1}"
            )
    elif group not in decider.groups:
        raise Forbidden(f"deciding this review now needs the {group!r} group")
    if not review.approval_steps or decision not in ("approve", "approve_with_edits"):
        return
    check_not_requester(review, decider.user_id)
    if decider.user_id and any(a.by == decider.user_id and a.link_id is None for a in review.approvals):
        raise Forbidden("you approved an earlier step of this review: each step needs another person")
    if decision == "approve_with_edits" and not review.is_last_step:
        raise InvalidRequest(
            "edits are made at the last approval step (an edit now would change what earlier approvers saw)",
            [{"field": "decision", "problem": "approve or regenerate with feedback at this step"}],
        )
