"""The agenda's main pages for the accessibility and phone-width checks (see tests/pages.py)."""

from tests.pages import (
    ANONYMOUS,
    BACKBONE,
    COALITION,
    COMPANY,
    CONTRIBUTOR,
    LEAD,
    MEMBERS,
    VIEWER,
    Page,
    url,
)


def _version(slug: str, status: str):
    def number() -> int:
        from collective.agenda.models import AgendaVersion

        return AgendaVersion.objects.get(initiative__slug=slug, status=status).number

    return number


ADOPTED = _version(COMPANY, "adopted")
WORKING = _version(COMPANY, "consultation")


def _outcome(kind: str):
    def uid() -> str:
        from collective.agenda.models import OutcomeNode

        node = OutcomeNode.objects.filter(
            version__initiative__slug=COMPANY, version__status="consultation", kind=kind
        ).first()
        return str(node.outcome.uid)

    return uid


def _open_amendment() -> str:
    from collective.agenda.models import ConsultationItem

    item = ConsultationItem.objects.filter(
        version__initiative__slug=COMPANY, kind="amendment", status="open", parent=None
    ).first()
    return str(item.uid)


PAGES = [
    Page("agenda", url("agenda:index", slug=COMPANY), roles=MEMBERS),
    Page("public agenda", url("agenda:index", slug=COALITION), roles=(ANONYMOUS,)),
    Page("adopted version", url("agenda:version-detail", slug=COMPANY, number=ADOPTED)),
    Page(
        "version in consultation",
        url("agenda:version-detail", slug=COMPANY, number=WORKING),
        roles=(BACKBONE, CONTRIBUTOR),
    ),
    Page(
        "consultation",
        url("agenda:consultation", slug=COMPANY, number=WORKING),
        roles=(BACKBONE, CONTRIBUTOR, VIEWER),
    ),
    Page("voices", url("agenda:voices", slug=COMPANY, number=WORKING), roles=(BACKBONE, VIEWER)),
    Page("history", url("agenda:history", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page("diff", url("agenda:diff", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page("endorsements", url("agenda:endorsements", slug=COMPANY), roles=(BACKBONE, LEAD)),
    Page("endorse", url("agenda:endorse", slug=COMPANY, number=ADOPTED), roles=(LEAD,)),
    Page("edit version", url("agenda:version-edit", slug=COMPANY, number=WORKING)),
    Page("add outcome", url("agenda:outcome-add", slug=COMPANY, number=WORKING)),
    Page(
        "edit outcome",
        url("agenda:outcome-edit", slug=COMPANY, number=WORKING, uid=_outcome("outcome")),
    ),
    Page(
        "move outcome",
        url("agenda:outcome-move", slug=COMPANY, number=WORKING, uid=_outcome("sub_outcome")),
    ),
    Page(
        "remove outcome",
        url("agenda:outcome-remove", slug=COMPANY, number=WORKING, uid=_outcome("sub_outcome")),
    ),
    Page(
        "decide amendment",
        url("agenda:item-decide", slug=COMPANY, number=WORKING, uid=_open_amendment),
    ),
    Page("new draft", url("agenda:version-create", slug=COMPANY)),
    Page("adopt", url("agenda:version-adopt", slug=COMPANY, number=WORKING)),
    Page("print", url("agenda:version-print", slug=COMPANY, number=ADOPTED), roles=(VIEWER,)),
]
