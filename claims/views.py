import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.decorators import member_required
from accounts.services import address_save, company_admins
from core.errors import DomainError, RuleViolation
from core.pagination import ProbingPaginator
from warranty.codes import normalise_serial
from warranty.forms import SerialCheckForm, WarrantyLookupForm
from warranty.selectors import serial_check, tracked_brands, warranty_for_ean

from . import csv_import, exports, rules, selectors, services, workflow
from .forms import (
    AttachmentForm,
    BatchDocumentForm,
    CancelForm,
    ClaimBundle,
    ClaimFilterForm,
    ClaimForm,
    ClaimSearchForm,
    ImportForm,
    LineForm,
    MessageForm,
)
from .labels import render_quote
from .models import Claim, ClaimLine, Status
from .stored_labels import claim_label_pdf
from .tasks import queue_batch_handover
from .uploads import ALLOWED_CONTENT_TYPES, safe_download_name

HTMX_PARTIALS = {
    "warranty-result": "warranty/_warranty_result.html",
    "serial-result": "warranty/_serial_result.html",
    "search-result": "claims/_search_result.html",
}


@login_required
@require_GET
def dashboard(request):
    """The partner's landing page: new claim, serial check, search, warranty lookup, recent claims.

    Each widget is a GET form to this page, so it works without JavaScript;
    with htmx only the widget's result region is swapped.
    """
    user = request.user
    membership = access.membership_of(user)
    company = access.active_company(user)
    context = {
        "membership": membership,
        "company": company,
        "warranty_form": WarrantyLookupForm(request.GET if "ean" in request.GET else None),
        "serial_form": SerialCheckForm(request.GET if "serial" in request.GET else None),
        "search_form": ClaimSearchForm(request.GET if "q" in request.GET else None),
        "tracked_brands": tracked_brands(),
    }
    if "ean" in request.GET:
        try:
            context["warranty"] = warranty_for_ean(user=user, raw_ean=request.GET["ean"])
        except RuleViolation as error:
            context["warranty"] = {"error": error.message}
    if company is None:
        # Not (yet) a member: where the request stands, and the product-level warranty check only.
        if request.htmx and request.htmx.target == "warranty-result":
            return render(request, HTMX_PARTIALS["warranty-result"], context)
        context["company_has_admin"] = bool(membership) and company_admins(membership.company).exists()
        return render(request, "accounts/membership_status.html", context)
    if "serial" in request.GET:
        try:
            context["serial"] = serial_check(
                user=user, raw_serial=request.GET["serial"], tracked=context["tracked_brands"]
            )
        except RuleViolation as error:
            context["serial"] = {"error": error.message}
    if "q" in request.GET:
        query = request.GET["q"].strip()
        hits = list(selectors.claims_search(user, query)[:51]) if query else []
        if len(hits) == 1:
            if not request.htmx:
                return redirect(hits[0])
            response = HttpResponse(status=204)
            response["HX-Redirect"] = hits[0].get_absolute_url()
            return response
        context["search"] = {"query": query, "hits": hits[:50], "more": len(hits) > 50}

    target = request.htmx.target if request.htmx else None
    if target in HTMX_PARTIALS:
        return render(request, HTMX_PARTIALS[target], context)

    counts = selectors.status_counts(user)
    context["status_counts"] = [(value, label, counts.get(value, 0)) for value, label in Status.choices]
    context["total_claims"] = sum(counts.values())
    context["needs_action"] = sum(counts.get(status, 0) for status in workflow.needs_partner_action())
    context["recent_claims"] = selectors.claim_rows(selectors.row_values(selectors.claims_for_user(user))[:5])
    return render(request, "claims/dashboard.html", context)


def _with_extra_line(data):
    data = data.copy()
    try:
        total = int(data.get("lines-TOTAL_FORMS") or 1)
    except ValueError:
        total = 1
    data["lines-TOTAL_FORMS"] = str(min(total + 1, rules.MAX_LINES_PER_CLAIM))
    return data


@member_required
@require_http_methods(["GET", "POST"])
def claim_new(request):
    if request.method == "POST" and "add_line" in request.POST:
        # Without JavaScript, "add a product" posts the form back with one more line and no errors.
        bundle = ClaimBundle(user=request.user)
        bundle.lines = type(bundle.lines)(_with_extra_line(request.POST), prefix="lines")
        bundle.lines._errors = []
        bundle.lines._non_form_errors = bundle.lines.error_class()
        for form in bundle.lines.forms:
            form._errors = ErrorDict()
        bundle.form = type(bundle.form)(initial=request.POST.dict(), user=request.user)
        if request.POST.get("return_address") == ClaimForm.NEW_ADDRESS:
            # The new return address typed so far stays, without its errors yet.
            bundle.address_form = type(bundle.address_form)(request.POST, prefix="addr")
            bundle.address_form._errors = ErrorDict()
        return render(request, "claims/claim_new.html", {"bundle": bundle, "no_summary": True})
    if request.method == "POST":
        sent = services.claim_of_spent_token(request.user, request.POST.get("submit_token", ""))
        if sent is not None:
            # The same form again (back button, double click): the claim it made, never a second one.
            messages.info(request, services.ClaimAlreadySubmitted(sent).message)
            return redirect(sent)
        bundle = ClaimBundle(user=request.user, data=request.POST, files=request.FILES)
        if bundle.is_valid():
            try:
                with transaction.atomic():  # a refused claim saves no new address either
                    new_address = bundle.new_address_to_save()
                    if new_address is not None:
                        address_save(company=access.active_company(request.user), address=new_address, by=request.user)
                    claim = services.claim_create(
                        user=request.user,
                        data=bundle.to_data(),
                        submit_token=bundle.form.cleaned_data.get("submit_token", ""),
                    )
                    services.held_uploads_release(bundle.form.chosen_held())
            except services.ClaimAlreadySubmitted as error:
                messages.info(request, error.message)
                return redirect(error.claim)
            except DomainError as error:
                bundle.refuse(error)
            else:
                return redirect("claim_registered", pk=claim.pk)
        # Files that passed their checks are kept for the next try, so nobody chooses the same invoice twice.
        bundle.form.offer_held(services.held_uploads_keep(owner=request.user, uploads=bundle.form.files_to_hold()))
    else:
        bundle = ClaimBundle(user=request.user)
    return render(request, "claims/claim_new.html", {"bundle": bundle})


@member_required
@require_GET
def claim_line_product(request):
    """htmx: once an EAN is typed, show the product and the fields it asks for."""
    prefix = next((k[:-4] for k in request.GET if re.fullmatch(r"lines-\d{1,2}-ean", k)), None)
    if prefix is None:
        raise Http404
    form = LineForm(request.GET, prefix=prefix)
    form._errors = ErrorDict()  # a preview, not a submit: the fields it shows say nothing is missing yet
    ean = request.GET.get(f"{prefix}-ean", "")
    if form.product is not None:
        form.warranty = selectors.line_warranty(
            user=request.user, product=form.product, serial=normalise_serial(request.GET.get(f"{prefix}-serial", ""))
        )
    return render(request, "claims/_line_product.html", {"line": form, "typed_ean": ean.strip(), "live": True})


@login_required
@require_GET
def claim_registered(request, pk):
    claim = selectors.get_claim_for_user(request.user, pk)
    lines = list(claim.lines.select_related("product").order_by("position"))
    return render(request, "claims/claim_registered.html", {"claim": claim, "lines": lines})


def _claim_filter(request):
    form = ClaimFilterForm(request.GET, user=request.user)
    form.is_valid()  # the valid fields filter; the others show their error
    return form, form.to_filter()


# The columns the list sorts by: (sort name, heading).
SORT_COLUMNS = {
    "rma": _lazy("RMA number"),
    "status": _lazy("Status"),
    "date": _lazy("Opened"),
    "age": _lazy("In status"),
}


@member_required
@require_GET
def claim_list(request):
    form, wanted = _claim_filter(request)
    claims = selectors.claims_filtered(request.user, wanted)
    # Counted off the tally when only statuses narrow the list; else on the claims alone (no owner
    # join), and not at all when the first page is not full.
    known_count = selectors.tally_count(request.user, wanted)
    rows = selectors.precompiled_list_rows(request.user, wanted) if known_count is not None else None
    paginator = ProbingPaginator(
        rows if rows is not None else selectors.row_values(claims),
        25,
        count_queryset=claims.select_related(None),
        known_count=known_count,
    )
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.claim_rows(page.object_list)
    filters = urlencode(form.query_items())
    sort_query = f"{filters}&sort={wanted.sort}" if filters else f"sort={wanted.sort}"
    columns = {}
    for name, heading in SORT_COLUMNS.items():
        current = wanted.sort.lstrip("-") == name
        descending = wanted.sort.startswith("-")
        next_sort = name if current and descending else f"-{name}" if current else name
        columns[name] = {
            "heading": heading,
            "href": "?" + urlencode([*form.query_items(), ("sort", next_sort)]),
            "aria_sort": ("descending" if descending else "ascending") if current else None,
        }
    return render(
        request,
        "claims/claim_list.html",
        {
            "page": page,
            "form": form,
            "filtered": bool(form.query_items()),
            "filters": filters,
            "sort_query": sort_query,
            "columns": columns,
        },
    )


@member_required
@require_GET
def claim_export(request, fmt):
    form, wanted = _claim_filter(request)
    claims = selectors.claims_filtered(request.user, wanted)
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = StreamingHttpResponse(exports.claims_csv(claims), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.claims_xlsx(claims), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="claims-{stamp}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _detail_context(request, pk, **forms):
    claim, lines, attachments, timeline, claim_messages = selectors.claim_detail(request.user, pk)
    return {
        "claim": claim,
        "lines": lines,
        "attachments": attachments,
        "timeline": timeline,
        "claim_messages": claim_messages,
        "message_form": forms.get("message_form") or MessageForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "cancel_form": CancelForm(),
        "quote_pending": claim.quote_pending,
        "progress": workflow.progress_steps(claim.status),
    }


@login_required
@require_GET
def claim_detail(request, pk):
    return render(request, "claims/claim_detail.html", _detail_context(request, pk))


@login_required
@require_POST
def claim_attachment_add(request, pk):
    claim = selectors.get_claim_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES, claim=claim)
    if form.is_valid():
        for upload in form.cleaned_data["files"]:
            services.attachment_add(
                claim=claim, upload=services.UploadData.from_checked(upload, form.cleaned_data["kind"]), by=request.user
            )
        messages.success(request, _("The files have been attached."))
        return redirect(claim)
    context = _detail_context(request, pk, attachment_form=form)
    return render(request, "claims/claim_detail.html", context, status=200)


@login_required
@require_GET
def claim_attachment(request, pk, attachment_pk):
    attachment = selectors.get_attachment_for_user(request.user, pk, attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = attachment.content_type in ALLOWED_CONTENT_TYPES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=safe_download_name(attachment.original_name, content_type=attachment.content_type),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def claim_label(request, pk):
    claim = selectors.get_claim_for_user(request.user, pk)
    lines = list(claim.lines.select_related("product", "fault_type").order_by("position"))
    pdf = claim_label_pdf(
        claim=claim,
        lines=lines,
        claim_url=request.build_absolute_uri(claim.get_absolute_url()),
        stamp=workflow.label_stamp(claim.status),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = claim.rma_number.replace("/", "-")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def claim_cancel(request, pk):
    claim = selectors.get_claim_for_user(request.user, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_cancel(claim=claim, by=request.user, note=form.cleaned_data["note"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The claim %(rma)s has been cancelled.") % {"rma": claim.rma_number})
        return redirect(claim)
    return render(request, "claims/claim_cancel.html", {"claim": claim, "form": form})


@login_required
@require_POST
def claim_message(request, pk):
    claim = selectors.get_claim_for_user(request.user, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        services.message_post(claim=claim, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Your message has been sent to the service."))
        return redirect(reverse("claim_detail", args=[claim.pk]) + "#messages")
    return render(request, "claims/claim_detail.html", _detail_context(request, pk, message_form=form))


@login_required
@require_http_methods(["GET", "POST"])
def claim_quote(request, pk):
    """The partner's answer to a quote, in two steps: the choice, then a page that confirms it."""
    claim = selectors.get_claim_for_user(request.user, pk)
    decision = request.POST.get("decision") or request.GET.get("decision")
    if decision not in ("accept", "decline"):
        messages.error(request, _("Choose to accept or to decline the quote."))
        return redirect(claim)
    if not claim.quote_pending:
        messages.error(request, _("There is no quote waiting for your decision on this claim."))
        return redirect(claim)
    if request.method == "GET" or request.POST.get("confirmed") != "yes":
        return render(request, "claims/claim_quote_confirm.html", {"claim": claim, "accept": decision == "accept"})
    try:
        services.quote_decide(claim=claim, by=request.user, accept=decision == "accept")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: the service has your decision."))
    return redirect(claim)


@login_required
@require_GET
def claim_quote_pdf(request, pk):
    claim = selectors.get_claim_for_user(request.user, pk)
    if claim.quote_amount is None:
        raise Http404
    lines = list(claim.lines.select_related("product").order_by("position"))
    pdf = render_quote(claim=claim, lines=lines, claim_url=request.build_absolute_uri(claim.get_absolute_url()))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = claim.rma_number.replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="{filename}-quote.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required
@require_http_methods(["GET", "POST"])
def claim_import(request):
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_import_quota_take(company=access.active_company(request.user))
        except DomainError as error:
            form.add_error("file", error.message)
            return render(
                request,
                "claims/claim_import.html",
                {
                    "form": form,
                    "result": None,
                    "columns": csv_import.COLUMNS,
                    "has_address": access.company_addresses(request.user).exists(),
                },
            )
        address = form.cleaned_data["return_address"]
        result = csv_import.claims_import_csv(
            user=request.user,
            uploaded=form.cleaned_data["file"],
            claim_type=form.cleaned_data["claim_type"],
            return_address=services.ReturnAddress.from_address(address),
        )
        if result.ok:
            messages.success(
                request,
                ngettext("%(n)d claim has been created.", "%(n)d claims have been created.", len(result.claims))
                % {"n": len(result.claims)},
            )
            return redirect(result.batch)
        if result.file_error:
            form.add_error("file", result.file_error)
        else:
            form.add_error(
                "file",
                ngettext(
                    "The file has %(n)d error; no claim was created. Correct it and upload the file again.",
                    "The file has %(n)d errors; no claim was created. Correct them and upload the file again.",
                    result.error_count,
                )
                % {"n": result.error_count},
            )
    return render(
        request,
        "claims/claim_import.html",
        {
            "form": form,
            "result": result,
            "columns": csv_import.COLUMNS,
            "has_address": access.company_addresses(request.user).exists(),
        },
    )


@member_required
@require_GET
def claim_import_template(request):
    response = HttpResponse(csv_import.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rma-claims-template.csv"'
    return response


def _batch_for_user(request, pk):
    return selectors.get_batch_for_user(request.user, pk)


@login_required
@require_http_methods(["GET", "POST"])
def claim_import_result(request, pk):
    batch = _batch_for_user(request, pk)
    claims = list(
        # Claims still waiting for their numbers (an import that stopped) are not shown: visible_claims.
        Claim.objects.filter(import_batch=batch, company=batch.company, rma_year__gt=0)
        .prefetch_related(Prefetch("lines", queryset=ClaimLine.objects.select_related("product")))
        .order_by("rma_year", "rma_seq")
    )
    form = BatchDocumentForm(request.POST or None, request.FILES or None, claims=claims)
    if request.method == "POST" and form.is_valid():
        count = services.sales_document_attach_many(assignments=form.assignments(), by=request.user)
        messages.success(
            request,
            ngettext(
                "The sales document has been attached to %(n)d claim.",
                "The sales document has been attached to %(n)d claims.",
                count,
            )
            % {"n": count},
        )
        return redirect(batch)
    return render(request, "claims/claim_import_result.html", {"batch": batch, "claims": claims, "form": form})


@login_required
@require_GET
def claim_import_handover(request, pk):
    batch = _batch_for_user(request, pk)
    if not batch.handover_pdf:
        # The import queued its one render; a GET queues only for a batch that never had one
        # (or whose render was lost long ago), and only one of parallel GETs does.
        queue_batch_handover(batch, language=request.LANGUAGE_CODE)
    if not batch.handover_pdf:
        return render(request, "claims/handover_pending.html", {"batch": batch}, status=202)
    response = FileResponse(batch.handover_pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="handover-{batch.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
