"""Every write of the institutions registry: one named function per change, keyword-only ``actor``, transactional,
validated (``full_clean`` with constraint errors on their field) and audited. Pages, API, imports' callers and the
command line call these; none saves a record directly. Bulk imports write set-based and leave one audit row."""

from chuncheng.institutions.services.facilities import (
    FACILITY_FIELDS,
    close_facility,
    file_facility,
    reopen_facility,
    update_facility,
)
from chuncheng.institutions.services.institutions import (
    EDITABLE_FIELDS,
    OPERATOR_FIELDS,
    file_institution,
    set_status,
    update_institution,
)
from chuncheng.institutions.services.staff import STAFF_FIELDS, hire_staff, leave_staff, update_staff
from chuncheng.institutions.services.stays import admit, discharge, transfer

__all__ = [
    "EDITABLE_FIELDS",
    "FACILITY_FIELDS",
    "OPERATOR_FIELDS",
    "STAFF_FIELDS",
    "admit",
    "close_facility",
    "discharge",
    "file_facility",
    "file_institution",
    "hire_staff",
    "leave_staff",
    "reopen_facility",
    "set_status",
    "transfer",
    "update_facility",
    "update_institution",
    "update_staff",
]
