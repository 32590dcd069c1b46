import pytest


@pytest.fixture(autouse=True)
def _report_dir(settings, tmp_path):
    settings.ERP_REPORT_DIR = tmp_path / "reports"
    settings.MEDIA_ROOT = tmp_path / "media"
