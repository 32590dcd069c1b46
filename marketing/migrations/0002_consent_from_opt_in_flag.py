"""Each account whose ``marketing_opt_in`` box was ticked before consents existed gets a granted
e-mail consent, its event saying where it comes from (the flag holds no when, how nor text)."""

from django.db import migrations

NOTE = "marketing_opt_in flag set before consents were recorded"


def forwards(apps, schema_editor):
    CustomerProfile = apps.get_model("accounts", "CustomerProfile")
    Consent = apps.get_model("marketing", "Consent")
    ConsentEvent = apps.get_model("marketing", "ConsentEvent")
    profiles = CustomerProfile.objects.filter(marketing_opt_in=True).select_related("user")
    for profile in profiles.iterator():
        address = (profile.user.email or "").strip().lower()
        if not address or Consent.objects.filter(channel="email", address=address).exists():
            continue
        consent = Consent.objects.create(channel="email", address=address, user=profile.user, status="granted")
        ConsentEvent.objects.create(consent=consent, status="granted", source="admin_import", note=NOTE)


def backwards(apps, schema_editor):
    ConsentEvent = apps.get_model("marketing", "ConsentEvent")
    Consent = apps.get_model("marketing", "Consent")
    ids = list(ConsentEvent.objects.filter(note=NOTE).values_list("consent_id", flat=True))
    ConsentEvent.objects.filter(consent_id__in=ids).delete()
    Consent.objects.filter(pk__in=ids).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("marketing", "0001_consent"),
        ("accounts", "0003_customer_invoicing_fields"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
