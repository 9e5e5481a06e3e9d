"""lib/uploads.py: a kept file replaced or deleted leaves the storage only once the change is
committed, for every ledger that keeps files (arrivals, supplementary agreements, milestones,
activities all call replace_file and delete_on_commit)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from lib import uploads
from projects.agreements import delete_agreement
from projects.models import Status
from tests.factories import ProjectFactory, SupplementaryAgreementFactory

PDF = b"%PDF-1.4 test"
pytestmark = pytest.mark.django_db


def slip(name="回单.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_a_replaced_file_goes_once_the_new_one_is_saved_and_committed(media, django_capture_on_commit_callbacks):
    agreement = SupplementaryAgreementFactory(project=ProjectFactory(status=Status.APPROVED), evidence=slip())
    old = media / agreement.evidence.name
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            replaced = uploads.replace_file(agreement, slip("C:\\扫描\\新回单.pdf"))
            agreement.save()
            uploads.delete_on_commit(replaced)
    assert len(callbacks) == 1 and not old.exists()
    assert agreement.evidence_name == "新回单.pdf" and (media / agreement.evidence.name).read_bytes() == PDF


def test_a_rolled_back_change_keeps_the_file(media, django_capture_on_commit_callbacks):
    agreement = SupplementaryAgreementFactory(project=ProjectFactory(status=Status.APPROVED), evidence=slip())
    old = media / agreement.evidence.name
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            uploads.delete_on_commit(agreement.evidence)
            raise RuntimeError("rolled back")
    assert not callbacks and old.exists()


def test_nothing_to_delete_schedules_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        uploads.delete_on_commit(None)
    assert not callbacks


def test_a_deleted_agreement_s_evidence_leaves_the_storage(media, django_capture_on_commit_callbacks):
    agreement = SupplementaryAgreementFactory(project=ProjectFactory(status=Status.APPROVED), evidence=slip())
    stored = media / agreement.evidence.name
    reviewer = get_user_model().objects.create(username="reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        delete_agreement(agreement=agreement, user=reviewer)
    assert not stored.exists()
