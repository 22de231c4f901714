"""Every export of contact details is logged: the Excel export of the customer list and
every API list page that hands out phones and e-mails unmasked."""

from salesops.crm.models import PersonalDataExport
from salesops.crm.tests.factories import make_customer


def test_customer_list_api_page_with_contact_details_is_logged(org, api):
    for _ in range(3):
        make_customer(org["rep1"])
    make_customer(org["rep3"])

    body = api(org["rep1"]).get("/api/v1/customers/?status=prospect").json()

    assert body["count"] == 3 and body["results"][0]["phone"].startswith("139")
    log = PersonalDataExport.objects.get()
    assert (log.user, log.what, log.rows, log.query) == (org["rep1"], "api:customers", 3, "status=prospect")


def test_directory_and_pool_api_pages_are_logged_for_sales_roles(org, api):
    make_customer(org["rep1"])
    api(org["supervisor1"]).get("/api/v1/crm/directory/")
    assert PersonalDataExport.objects.get().what == "api:directory"


def test_masked_lists_and_empty_pages_leave_no_record(org, api):
    make_customer(org["rep1"])
    masked = api(org["warehouse"]).get("/api/v1/crm/directory/").json()
    assert masked["results"][0]["phone"].count("*") == 4
    assert api(org["rep3"]).get("/api/v1/customers/").json()["count"] == 0
    assert not PersonalDataExport.objects.exists()


def test_excel_export_of_the_customer_list_is_logged_with_the_filter(org, client):
    make_customer(org["rep1"])
    make_customer(org["rep2"])
    client.force_login(org["supervisor1"])

    response = client.get("/customers/?export=xlsx&status=prospect")

    assert response.status_code == 200
    log = PersonalDataExport.objects.get()
    assert (log.user, log.what, log.rows) == (org["supervisor1"], "customers", 2)
    assert "status=prospect" in log.query
