"""Importers of the registry's exchange files (data-exchange.md): institutions, facilities, residents, staff."""

from chuncheng.institutions.importers.facilities import FacilityImporter
from chuncheng.institutions.importers.institutions import InstitutionImporter
from chuncheng.institutions.importers.residents import ResidentImporter
from chuncheng.institutions.importers.staff import StaffImporter

IMPORTERS = (InstitutionImporter, FacilityImporter, ResidentImporter, StaffImporter)

__all__ = ["IMPORTERS", "FacilityImporter", "InstitutionImporter", "ResidentImporter", "StaffImporter"]
