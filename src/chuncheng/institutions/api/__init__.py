"""The registry's REST endpoints under /api/v1/: institutions, facilities, stays, staff."""

from chuncheng.institutions.api.facilities import FacilityViewSet
from chuncheng.institutions.api.institutions import InstitutionViewSet
from chuncheng.institutions.api.staff import StaffViewSet
from chuncheng.institutions.api.stays import StayViewSet

__all__ = ["FacilityViewSet", "InstitutionViewSet", "StaffViewSet", "StayViewSet"]
