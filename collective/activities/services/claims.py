"""Writes of contribution claims and their reviews (contribution, not attribution)."""

from __future__ import annotations

from urllib.parse import urlparse

from django.db import transaction

from collective.core.audit import audit_record, diff, snapshot
from collective.core.errors import CONFLICT, FORBIDDEN, ApplicationError
from collective.core.rules import is_backbone, membership_for

from ..choices import Strength, Verdict
from ..models import Activity, ClaimReview, Contribution
from ._common import check_choice, check_text, require_acts_for

CLAIM_FIELDS = [
    "outcome",
    "indicator",
    "strength",
    "rationale",
    "evidence",
    "links",
    "alternatives",
]
MAX_LINKS = 10


def _check_links(links) -> list[str]:
    if isinstance(links, str):
        links = links.split()
    cleaned = []
    for link in links or []:
        link = str(link).strip()
        if not link:
            continue
        parsed = urlparse(link)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or len(link) > 500:
            raise ApplicationError(
                f"'{link[:80]}' is not a web address.",
                errors={"links": ["Give web addresses starting with http:// or https://."]},
            )
        cleaned.append(link)
    if len(cleaned) > MAX_LINKS:
        raise ApplicationError(
            f"At most {MAX_LINKS} links per claim.", errors={"links": [f"At most {MAX_LINKS}."]}
        )
    return cleaned


def _check_target(activity: Activity, outcome, indicator) -> None:
    if outcome is None and indicator is None:
        raise ApplicationError(
            "Say which outcome or indicator the activity contributes to.",
            errors={"outcome": ["Choose an outcome or an indicator."]},
        )
    if outcome is not None:
        if outcome.initiative_id != activity.initiative_id:
            raise ApplicationError(
                "That outcome belongs to another initiative: claims link to this initiative's "
                "agenda.",
                errors={"outcome": ["Choose an outcome of this initiative's agenda."]},
            )
        if outcome.retired:
            raise ApplicationError(
                f"“{outcome.title}” is no longer in the agenda.",
                errors={"outcome": ["Choose an outcome of the current agenda."]},
            )
    if indicator is not None:
        if indicator.initiative_id != activity.initiative_id:
            raise ApplicationError(
                "That indicator belongs to another initiative.",
                errors={"indicator": ["Choose an indicator of this initiative."]},
            )
        if indicator.archived:
            raise ApplicationError(
                f"{indicator.code} is archived.",
                errors={"indicator": ["Choose an indicator in use."]},
            )


def _check_duplicate(activity, outcome, indicator, exclude=None) -> None:
    existing = Contribution.objects.filter(activity=activity)
    if exclude is not None:
        existing = existing.exclude(pk=exclude.pk)
    if outcome is not None and existing.filter(outcome=outcome).exists():
        raise ApplicationError(
            f"This activity already claims a contribution to “{outcome.title}”: edit that claim.",
            errors={"outcome": ["Already claimed."]},
            code=CONFLICT,
        )
    if indicator is not None and existing.filter(indicator=indicator).exists():
        raise ApplicationError(
            f"This activity already claims a contribution to {indicator.code}: edit that claim.",
            errors={"indicator": ["Already claimed."]},
            code=CONFLICT,
        )


def claim_create(
    *,
    actor,
    activity: Activity,
    outcome=None,
    indicator=None,
    strength: str = Strength.DIRECT,
    rationale: str,
    evidence: str = "",
    links=(),
    alternatives: str = "",
) -> Contribution:
    require_acts_for(actor, activity.partner, "claim contributions")
    _check_target(activity, outcome, indicator)
    check_choice(strength, Strength, "strength")
    rationale = check_text(rationale, "rationale", required=True, limit=5_000)
    evidence = check_text(evidence, "evidence", limit=5_000)
    alternatives = check_text(alternatives, "alternatives", limit=5_000)
    links = _check_links(links)
    with transaction.atomic():
        _check_duplicate(activity, outcome, indicator)
        claim = Contribution.objects.create(
            initiative=activity.initiative,
            activity=activity,
            outcome=outcome,
            indicator=indicator,
            strength=strength,
            rationale=rationale,
            evidence=evidence,
            links=links,
            alternatives=alternatives,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            verb="claim.create",
            target=claim,
            changes={"activity": activity.title, **snapshot(claim, CLAIM_FIELDS)},
        )
    return claim


def claim_update(*, actor, claim: Contribution, **fields) -> Contribution:
    unknown = set(fields) - set(CLAIM_FIELDS)
    if unknown:
        raise ValueError(f"Unknown claim fields: {sorted(unknown)}")
    activity = claim.activity
    require_acts_for(actor, activity.partner, "change claims")
    outcome = fields.get("outcome", claim.outcome)
    indicator = fields.get("indicator", claim.indicator)
    _check_target(activity, outcome, indicator)
    if "strength" in fields:
        check_choice(fields["strength"], Strength, "strength")
    if "rationale" in fields:
        fields["rationale"] = check_text(fields["rationale"], "rationale", required=True)
    for name in ("evidence", "alternatives"):
        if name in fields:
            fields[name] = check_text(fields[name], name)
    if "links" in fields:
        fields["links"] = _check_links(fields["links"])
    before = snapshot(claim, CLAIM_FIELDS)
    with transaction.atomic():
        _check_duplicate(activity, outcome, indicator, exclude=claim)
        for name, value in fields.items():
            setattr(claim, name, value)
        claim.save()
        changes = diff(before, snapshot(claim, CLAIM_FIELDS))
        if changes:
            audit_record(actor=actor, verb="claim.update", target=claim, changes=changes)
    return claim


def claim_remove(*, actor, claim: Contribution) -> None:
    require_acts_for(actor, claim.activity.partner, "remove claims")
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="claim.delete",
            target=claim,
            changes={"activity": claim.activity.title, **snapshot(claim, ["outcome", "indicator"])},
        )
        claim.delete()


def claim_review(*, actor, claim: Contribution, verdict: str, comment: str) -> ClaimReview:
    """Mark a claim substantiated or contested. Reviewers are another partner or the backbone:
    nobody reviews their own partner's claims. A second review by the same person replaces
    their first."""
    initiative = claim.initiative
    check_choice(verdict, Verdict, "verdict")
    comment = check_text(comment, "comment", required=True, limit=5_000)
    membership = membership_for(actor, initiative)
    backbone = is_backbone(actor, initiative)
    own = (
        membership is not None
        and membership.partner_id is not None
        and claim.activity.partner.path.startswith(membership.partner.path)
    )
    if not backbone and (membership is None or membership.partner_id is None or own):
        raise ApplicationError(
            "Claims are reviewed by another partner or the backbone, not by the partner that "
            "makes them.",
            code=FORBIDDEN,
        )
    with transaction.atomic():
        review = ClaimReview.objects.filter(contribution=claim, reviewer=actor).first()
        before = snapshot(review, ["verdict", "comment"]) if review else {}
        if review is None:
            review = ClaimReview(
                initiative=initiative,
                contribution=claim,
                reviewer=actor,
                partner=membership.partner if membership else None,
            )
        review.verdict = verdict
        review.comment = comment
        review.save()
        audit_record(
            actor=actor,
            verb="claim.review",
            target=claim,
            changes=diff(before, snapshot(review, ["verdict", "comment"])),
        )
    return review
