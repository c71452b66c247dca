"""Pages of the common agenda: the adopted agenda, drafts and their outcome tree, the
consultation, diverse voices, endorsements, history with diffs, and print views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from collective.core.conditions import condition
from collective.core.errors import ApplicationError
from collective.core.http import check_perm, initiative_view, is_uuid, render_page, wants_partial
from collective.core.models import Partner

from . import selectors, services
from .choices import ItemKind, ItemStatus, Stance, VersionStatus
from .diff import TEXT_LABELS, diff_snapshots, tree_order
from .forms import (
    AdoptForm,
    DecideForm,
    EndorseForm,
    ItemForm,
    MoveForm,
    NewDraftForm,
    NudgeForm,
    OutcomeForm,
    ReplyForm,
    VersionTextForm,
    target_choices,
)
from .models import ConsultationItem, OutcomeNode


def _perms(request) -> dict:
    user, initiative = request.user, request.initiative
    return {
        "is_member": user.has_perm("agenda.view", initiative),
        "can_manage": user.has_perm("agenda.manage", initiative),
        "can_take_part": user.has_perm("agenda.take_part", initiative),
        "can_endorse": user.has_perm("agenda.endorse", initiative),
    }


def _version(request, number):
    """The version, if this visitor may read it: non-members read only the adopted one."""
    version = selectors.version_get(request.initiative, number)
    if version.status != VersionStatus.ADOPTED and not request.user.has_perm(
        "agenda.view", request.initiative
    ):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404("No such agenda version.")
    return version


def _version_context(request, version) -> dict:
    nodes = selectors.outcome_tree(version)
    context = {
        "version": version,
        "nodes": nodes,
        **_perms(request),
    }
    context["can_edit"] = context["can_manage"] and version.is_working
    return context


def _endorsement_context(request, adopted) -> dict:
    membership = getattr(request, "membership", None)
    partner = membership.partner if membership else None
    return {
        "grid": selectors.endorsement_grid(request.initiative),
        "my_endorsement": selectors.endorsement_for(adopted, partner) if adopted else None,
        "my_partner": partner,
    }


# --- Landing, versions -----------------------------------------------------------------------


@initiative_view("agenda.read_public")
def index(request):
    initiative = request.initiative
    perms = _perms(request)
    adopted = selectors.version_adopted(initiative)
    working = selectors.version_working(initiative) if perms["is_member"] else None
    context = {
        **perms,
        "condition": condition("agenda"),
        "adopted": adopted,
        "working": working,
        "version": adopted,
        "nodes": selectors.outcome_tree(adopted),
        "can_edit": False,
        "has_versions": adopted is not None or working is not None,
    }
    if working is not None and working.consultation_is_open:
        context["counts"] = selectors.consultation_counts(working)
    if perms["is_member"] and adopted is not None:
        context.update(_endorsement_context(request, adopted))
    return render(request, "agenda/index.html", context)


@initiative_view("agenda.manage")
def version_create(request):
    form = NewDraftForm(request.POST or None)
    adopted = selectors.version_adopted(request.initiative)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.agenda_draft_create(
                actor=request.user, initiative=request.initiative, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            if version.based_on:
                messages.success(
                    request,
                    f"Draft v{version.number} started as a copy of v{version.based_on.number}.",
                )
            else:
                messages.success(request, "The first draft is ready: write the problem first.")
            return redirect(version)
    return render(
        request,
        "agenda/version_create.html",
        {
            "form": form,
            "adopted": adopted,
            "working": selectors.version_working(request.initiative),
        },
    )


@initiative_view("agenda.read_public")
def version_detail(request, number):
    version = _version(request, number)
    if not hasattr(version, "pk"):
        return version
    context = _version_context(request, version)
    if context["is_member"]:
        if version.status == VersionStatus.ADOPTED:
            context.update(_endorsement_context(request, version))
        if version.consultation_is_open:
            context["counts"] = selectors.consultation_counts(version)
    return render_page(request, "agenda/version_detail.html", context, partial="tree")


@initiative_view("agenda.read_public")
def version_print(request, number):
    version = _version(request, number)
    if not hasattr(version, "pk"):
        return version
    context = _version_context(request, version)
    context["can_edit"] = False
    return render(request, "agenda/version_print.html", context)


@initiative_view("agenda.manage")
def version_edit(request, number):
    version = selectors.version_get(request.initiative, number)
    if not version.is_working:
        messages.error(request, f"Version {number} is {version.get_status_display().lower()}.")
        return redirect(version)
    initial = {name: getattr(version, name) for name in services.VERSION_FIELDS}
    form = VersionTextForm(request.POST or None, initial={**initial, "revision": version.revision})
    conflict = None
    differences = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        revision = data.pop("revision")
        try:
            services.agenda_update(actor=request.user, version=version, revision=revision, **data)
        except ApplicationError as error:
            if error.code == "stale":
                # Keep their text in the form, point it at the new revision, and show the
                # text that was saved in the meantime next to it.
                version.refresh_from_db()
                conflict = version
                # Only the fields where their text and the saved text differ.
                differences = [
                    (form.fields[name].label or name.replace("_", " ").capitalize(), mine, saved)
                    for name in services.VERSION_FIELDS
                    if (mine := (request.POST.get(name) or "").strip())
                    != (saved := getattr(version, name) or "").strip()
                ]
                post = request.POST.copy()
                post["revision"] = str(version.revision)
                form = VersionTextForm(post)
                form.is_valid()
                form.add_error(None, f"{error.message} Your text is kept in the form below.")
            else:
                form.add_service_errors(error)
        else:
            messages.success(request, f"Draft v{version.number} saved.")
            return redirect(version)
    return render(
        request,
        "agenda/version_edit.html",
        {"form": form, "version": version, "conflict": conflict, "differences": differences},
    )


@initiative_view("agenda.manage")
def version_adopt(request, number):
    version = selectors.version_get(request.initiative, number)
    if not version.is_working:
        messages.error(
            request,
            f"Version {number} is {version.get_status_display().lower()}: only a draft or a "
            "version in consultation can be adopted.",
        )
        return redirect(version)
    form = AdoptForm(
        request.POST or None,
        initial={"rationale": version.rationale, "learning": version.learning},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_adopt(actor=request.user, version=version, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Version {version.number} is the adopted agenda. Partner leads are asked to "
                "endorse it.",
            )
            return redirect("agenda:index", slug=request.initiative.slug)
    return render(
        request,
        "agenda/version_adopt.html",
        {
            "form": form,
            "version": version,
            "outcome_count": version.nodes.count(),
            "counts": selectors.consultation_counts(version),
            "adopted": selectors.version_adopted(request.initiative),
        },
    )


@require_POST
@initiative_view("agenda.manage")
def consultation_open(request, number):
    version = selectors.version_get(request.initiative, number)
    try:
        services.consultation_open(actor=request.user, version=version)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(version)
    messages.success(request, f"Consultation on v{version.number} is open; members were told.")
    return redirect("agenda:consultation", slug=request.initiative.slug, number=version.number)


@require_POST
@initiative_view("agenda.manage")
def consultation_close(request, number):
    version = selectors.version_get(request.initiative, number)
    try:
        services.consultation_close(actor=request.user, version=version)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Consultation closed; the summary of what changed is below.")
    return redirect("agenda:consultation", slug=request.initiative.slug, number=version.number)


# --- Outcome tree ----------------------------------------------------------------------------


def _working_or_redirect(request, number):
    version = selectors.version_get(request.initiative, number)
    if not version.is_working:
        messages.error(
            request,
            f"Version {number} is {version.get_status_display().lower()}: start a new draft "
            "to change outcomes.",
        )
        return version, redirect(version)
    return version, None


@initiative_view("agenda.manage")
def outcome_add(request, number):
    version, refused = _working_or_redirect(request, number)
    if refused:
        return refused
    initial = {"revision": version.revision}
    if request.GET.get("parent") and is_uuid(request.GET["parent"]):
        initial["parent"] = OutcomeNode.objects.filter(
            version=version, outcome__uid=request.GET["parent"]
        ).first()
    form = OutcomeForm(request.POST or None, version=version, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.outcome_add(actor=request.user, version=version, **data)
        except ApplicationError as error:
            _keep_after_stale(form, error, version)
        else:
            messages.success(request, f"Added “{data['statement']}”.")
            if "add_another" in request.POST:
                url = reverse("agenda:outcome-add", args=[request.initiative.slug, number])
                parent = data.get("parent")
                return redirect(url + (f"?parent={parent.outcome.uid}" if parent else ""))
            return redirect(version.get_absolute_url() + "#outcome-tree")
    return render(
        request, "agenda/outcome_form.html", {"form": form, "version": version, "node": None}
    )


def _keep_after_stale(form, error, version) -> None:
    """Show the service's refusal; after a stale save keep the text, at the new revision."""
    if error.code == "stale":
        version.refresh_from_db()
        data = form.data.copy()
        data["revision"] = str(version.revision)
        form.data = data
        # The revision field is hidden: say it on top.
        form.add_error(None, f"{error.message} Your text is kept in the form below.")
        return
    form.add_service_errors(error)


@initiative_view("agenda.manage")
def outcome_edit(request, number, uid):
    version, refused = _working_or_redirect(request, number)
    if refused:
        return refused
    node = selectors.node_get(version, uid)
    form = OutcomeForm(
        request.POST or None,
        version=version,
        node=node,
        initial={
            "revision": version.revision,
            "statement": node.statement,
            "description": node.description,
            "horizon": node.horizon,
            "lead_partner": node.lead_partner,
            "co_partners": list(node.co_partners.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.outcome_update(actor=request.user, node=node, **data)
        except ApplicationError as error:
            _keep_after_stale(form, error, version)
        else:
            messages.success(request, f"Saved “{node.statement}”.")
            return redirect(version.get_absolute_url() + f"#outcome-{node.outcome.uid}")
    return render(
        request, "agenda/outcome_form.html", {"form": form, "version": version, "node": node}
    )


@initiative_view("agenda.manage")
def outcome_move(request, number, uid):
    version, refused = _working_or_redirect(request, number)
    if refused:
        return refused
    node = selectors.node_get(version, uid)
    direction = request.POST.get("direction", "")
    if request.method == "POST" and direction:
        problem = None
        try:
            services.outcome_move(
                actor=request.user,
                node=node,
                revision=request.POST.get("revision"),
                direction=direction,
            )
        except ApplicationError as error:
            problem = error.message
        version.refresh_from_db()
        if wants_partial(request):
            # Only the tree is swapped: say what went wrong inside it.
            context = {**_version_context(request, version), "tree_error": problem}
            return render_page(request, "agenda/version_detail.html", context, partial="tree")
        if problem:
            messages.error(request, problem)
        return redirect(version.get_absolute_url() + f"#outcome-{node.outcome.uid}")
    form = MoveForm(
        request.POST or None,
        node=node,
        initial={"revision": version.revision, "parent": node.parent},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_move(
                actor=request.user,
                node=node,
                revision=form.cleaned_data["revision"],
                parent=form.cleaned_data["parent"],
            )
        except ApplicationError as error:
            _keep_after_stale(form, error, version)
        else:
            messages.success(request, f"Moved “{node.statement}”.")
            return redirect(version.get_absolute_url() + f"#outcome-{node.outcome.uid}")
    return render(
        request, "agenda/outcome_move.html", {"form": form, "version": version, "node": node}
    )


@initiative_view("agenda.manage")
def outcome_remove(request, number, uid):
    version, refused = _working_or_redirect(request, number)
    if refused:
        return refused
    node = selectors.node_get(version, uid)
    if request.method == "POST":
        try:
            services.outcome_remove(
                actor=request.user, node=node, revision=request.POST.get("revision")
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Removed “{node.statement}” from draft v{number}.")
        return redirect(version.get_absolute_url() + "#outcome-tree")
    return render(
        request,
        "agenda/outcome_remove.html",
        {
            "version": version,
            "node": node,
            "links": selectors.outcome_links(node.outcome),
            "children": list(node.children.all()),
            "in_adopted": OutcomeNode.objects.filter(
                outcome=node.outcome, version__status=VersionStatus.ADOPTED
            ).exists(),
        },
    )


# --- Consultation ----------------------------------------------------------------------------


def _consultation_context(request, version, item_form=None) -> dict:
    nodes = selectors.outcome_tree(version)
    items = selectors.consultation_items(version)
    targets = selectors.consultation_threads(version, nodes, items)
    perms = _perms(request)
    if item_form is None and perms["can_take_part"] and version.consultation_is_open:
        target = request.GET.get("target", "")
        kind = request.GET.get("kind", ItemKind.COMMENT)
        current = next((t for t in targets if t.key == target), None)
        item_form = ItemForm(
            targets=target_choices(nodes),
            initial={
                "target": target,
                "kind": kind if kind in ItemKind.values else ItemKind.COMMENT,
                "proposed_text": current.text if current and kind == ItemKind.AMENDMENT else "",
            },
        )
    open_amendments = [
        i for i in items if i.kind == ItemKind.AMENDMENT and i.status == ItemStatus.OPEN
    ]
    my_support = {
        selectors.target_key(i.section, i.outcome)
        for i in items
        if i.kind == ItemKind.SUPPORT and i.author_id == request.user.pk and not i.parent_id
    }
    return {
        **perms,
        "version": version,
        "targets": targets,
        "items_count": len(items),
        "people_count": len({i.author_id for i in items if i.author_id}),
        "open_amendments": open_amendments,
        "my_support": my_support,
        "item_form": item_form,
        "reply_form": ReplyForm() if perms["can_take_part"] else None,
        "decide_form": DecideForm() if perms["can_manage"] else None,
    }


@initiative_view("agenda.view")
def consultation(request, number):
    version = selectors.version_get(request.initiative, number)
    if request.method == "POST":
        check_perm(request, "agenda.take_part", request.initiative)
        nodes = selectors.outcome_tree(version)
        form = ItemForm(request.POST, targets=target_choices(nodes))
        if form.is_valid():
            section, outcome = form.target_parts({str(n.outcome.uid): n.outcome for n in nodes})
            try:
                item = services.item_create(
                    actor=request.user,
                    version=version,
                    kind=form.cleaned_data["kind"],
                    section=section,
                    outcome=outcome,
                    body=form.cleaned_data["body"],
                    proposed_text=form.cleaned_data["proposed_text"],
                )
            except ApplicationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, f"Thank you — your {item.get_kind_display().lower()} is posted."
                )
                return redirect(
                    reverse("agenda:consultation", args=[request.initiative.slug, number])
                    + f"#item-{item.uid}"
                )
        context = _consultation_context(request, version, item_form=form)
        return render(request, "agenda/consultation.html", context, status=400)
    return render(request, "agenda/consultation.html", _consultation_context(request, version))


@require_POST
@initiative_view("agenda.take_part")
def item_reply(request, number):
    version = selectors.version_get(request.initiative, number)
    form = ReplyForm(request.POST)
    url = reverse("agenda:consultation", args=[request.initiative.slug, number])
    if not form.is_valid():
        messages.error(request, "Write your reply first.")
        return redirect(url)
    parent = ConsultationItem.objects.filter(
        version=version, uid=form.cleaned_data["parent"]
    ).first()
    if parent is None:
        raise Http404("No such consultation item.")
    try:
        item = services.item_create(
            actor=request.user,
            version=version,
            kind=ItemKind.COMMENT,
            body=form.cleaned_data["body"],
            parent=parent,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(url + f"#item-{parent.uid}")
    messages.success(request, "Your reply is posted.")
    return redirect(url + f"#item-{item.uid}")


@initiative_view("agenda.manage")
def item_decide(request, number, uid):
    version = selectors.version_get(request.initiative, number)
    item = (
        ConsultationItem.objects.filter(version=version, uid=uid)
        .select_related("author", "partner", "outcome")
        .first()
    )
    if item is None:
        raise Http404("No such consultation item.")
    form = DecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.amendment_decide(
                actor=request.user,
                item=item,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            verdict = (
                "accepted and applied to the draft" if item.status == "accepted" else ("declined")
            )
            messages.success(request, f"Amendment {verdict}; its author was told.")
            return redirect(
                reverse("agenda:consultation", args=[request.initiative.slug, number])
                + f"#item-{item.uid}"
            )
    return render(
        request,
        "agenda/item_decide.html",
        {
            "form": form,
            "version": version,
            "item": item,
            "current_text": services.current_text(version, item.section, item.outcome),
            "target_label": selectors.item_target_label(item),
        },
    )


# --- Diverse voices --------------------------------------------------------------------------


@initiative_view("agenda.view")
def voices(request, number):
    version = selectors.version_get(request.initiative, number)
    return render(
        request,
        "agenda/voices.html",
        {"version": version, "voices": selectors.voices(version), **_perms(request)},
    )


@require_POST
@initiative_view("agenda.manage")
def voices_nudge(request, number):
    version = selectors.version_get(request.initiative, number)
    form = NudgeForm(request.POST)
    url = reverse("agenda:voices", args=[request.initiative.slug, number])
    if not form.is_valid():
        messages.error(request, "Choose a partner or a level to nudge.")
        return redirect(url)
    partner = None
    if form.cleaned_data["partner"]:
        partner = Partner.objects.filter(
            initiative=request.initiative, uid=form.cleaned_data["partner"]
        ).first()
        if partner is None:
            raise Http404("No such partner.")
    try:
        sent = services.voices_nudge(
            actor=request.user, version=version, partner=partner, level=form.cleaned_data["level"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Sent a nudge to {sent} {'person' if sent == 1 else 'people'}.")
    return redirect(url)


# --- Endorsements ----------------------------------------------------------------------------


@initiative_view("agenda.view")
def endorsements(request):
    adopted = selectors.version_adopted(request.initiative)
    return render(
        request,
        "agenda/endorsements.html",
        {**_endorsement_context(request, adopted), **_perms(request)},
    )


@initiative_view("agenda.endorse")
def endorse(request, number):
    version = selectors.version_get(request.initiative, number)
    partner = request.membership.partner
    current = selectors.endorsement_for(version, partner)
    form = EndorseForm(
        request.POST or None,
        initial={
            "stance": current.stance if current else Stance.ENDORSED,
            "reservations": current.reservations if current else "",
            "reason": current.reason if current else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            endorsement = services.endorsement_record(
                actor=request.user, version=version, partner=partner, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{partner.name}: {endorsement.get_stance_display().lower()} v{version.number}.",
            )
            return redirect("agenda:endorsements", slug=request.initiative.slug)
    return render(
        request,
        "agenda/endorse.html",
        {"form": form, "version": version, "partner": partner, "current": current},
    )


# --- History and diff ------------------------------------------------------------------------


@initiative_view("agenda.view")
def history(request):
    versions = list(selectors.version_list(request.initiative))
    return render(request, "agenda/history.html", {"versions": versions, **_perms(request)})


@initiative_view("agenda.view")
def version_diff(request):
    versions = list(selectors.version_list(request.initiative))
    numbers = [v.number for v in versions]
    context = {"versions": versions, "diff": None}
    if len(numbers) < 2:
        return render(request, "agenda/diff.html", context)

    def pick(name, default):
        try:
            value = int(request.GET.get(name, default))
        except ValueError:
            return default
        return value if value in numbers else default

    newer = pick("to", numbers[0])
    older = pick("from", numbers[1] if newer == numbers[0] else newer - 1)
    if older not in numbers:
        older = numbers[-1]
    a = next(v for v in versions if v.number == older)
    b = next(v for v in versions if v.number == newer)
    snap_a, snap_b = selectors.snapshot_of(a), selectors.snapshot_of(b)
    result = diff_snapshots(snap_a, snap_b)
    order_b = [uid for uid, _depth in tree_order(snap_b.nodes)]
    order_a = [uid for uid, _depth in tree_order(snap_a.nodes)]
    statements = {uid: n.statement for uid, n in {**snap_a.nodes, **snap_b.nodes}.items()}
    context.update(
        {
            "a": a,
            "b": b,
            "diff": result,
            "texts": [(TEXT_LABELS[k], old, new) for k, (old, new) in result.texts.items()],
            "added": [(uid, result.added[uid]) for uid in order_b if uid in result.added],
            "removed": [(uid, result.removed[uid]) for uid in order_a if uid in result.removed],
            "changed": [result.changed[uid] for uid in order_b if uid in result.changed],
            "statements": statements,
        }
    )
    return render(request, "agenda/diff.html", context)
