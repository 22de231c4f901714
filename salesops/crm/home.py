"""Home-page sections and the customer-page sections of the customer area."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from salesops.crm import selectors
from salesops.crm.models import OwnershipConflict


def agenda_section(request):
    agenda = selectors.agenda_for_user(user=request.user, days=1)
    return "crm/home/agenda.html", {"agenda": agenda}


def overdue_section(request):
    overdue = list(selectors.overdue_next_steps(user=request.user)[:10])
    opportunities = list(selectors.overdue_opportunity_steps(user=request.user)[:10])
    if not overdue and not opportunities:
        return None
    return "crm/home/overdue.html", {"overdue": overdue, "opportunities": opportunities}


def complaints_section(request):
    complaints = list(selectors.open_complaints_for_user(user=request.user)[:10])
    if not complaints:
        return None
    return "crm/home/complaints.html", {"complaints": complaints}


def conflicts_section(request):
    conflicts = selectors.conflict_list_for_user(user=request.user).filter(status=OwnershipConflict.Status.OPEN)
    conflicts = list(conflicts[:10])
    if not conflicts:
        return None
    return "crm/home/conflicts.html", {"conflicts": conflicts}


def pipeline_section(request):
    rows = selectors.pipeline_summary(user=request.user, group_by="owner")
    if not rows:
        return None
    return "crm/home/pipeline.html", {"rows": rows, "total": sum(r["weighted"] for r in rows)}


def register_customer_sections():
    from salesops.crm.sections import CustomerSection, customer_sections

    def contacts(request, customer):
        from salesops.crm.forms import ContactForm

        return {"contacts": selectors.contact_list_for_customer(customer=customer), "contact_form": ContactForm()}

    def addresses(request, customer):
        from salesops.crm.forms import AddressForm

        return {"addresses": customer.addresses.all(), "address_form": AddressForm()}

    def opportunities(request, customer):
        return {"opportunities": customer.opportunities.select_related("stage", "owner").order_by("-created_at")[:20]}

    def activities(request, customer):
        return {"activities": customer.activities.select_related("owner").order_by("-occurred_at")[:20]}

    def complaints(request, customer):
        return {"complaints": customer.complaints.select_related("owner").order_by("-received_at")[:20]}

    def owners(request, customer):
        return {"changes": selectors.ownership_history(customer=customer)[:30]}

    def grades(request, customer):
        history = list(selectors.grade_history(customer=customer)[:12])
        key_account = (
            getattr(customer, "key_account", None)
            if customer.grade == "A" or hasattr(customer, "key_account")
            else None
        )
        return {"grades": history, "key_account": key_account}

    def files(request, customer):
        return {"files": customer.files.select_related("uploaded_by")}

    for order, (key, title, func) in enumerate(
        [
            ("contacts", _("Contacts"), contacts),
            ("addresses", _("Addresses"), addresses),
            ("opportunities", _("Opportunities"), opportunities),
            ("activities", _("Activities"), activities),
            ("complaints", _("Complaints and after-sales"), complaints),
            ("grades", _("Grade and key-account file"), grades),
            ("owners", _("Owner history"), owners),
            ("files", _("Files"), files),
        ]
    ):
        customer_sections.add(CustomerSection(key, title, f"crm/sections/{key}.html", func, order=order * 10))
