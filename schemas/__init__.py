"""pandera models, one per published table: the single source of truth for columns, types, checks,
descriptions and units. ``datapackage.json`` and the data dictionary are generated from these.

``FAMILIES`` says which side each table belongs to ("reports" | "outcomes" | "documents") so the data
contract (reports tables use ``calendar_year``, outcomes tables ``fiscal_year``, never both) can be
checked from here.
"""

from schemas.cybertipline_law_enforcement_feedback import CybertiplineLawEnforcementFeedback
from schemas.cybertipline_reports_by_country import CybertiplineReportsByCountry
from schemas.cybertipline_reports_by_esp import CybertiplineReportsByEsp
from schemas.cybertipline_reports_by_year import CybertiplineReportsByYear
from schemas.cybertipline_reports_to_law_enforcement import CybertiplineReportsToLawEnforcement
from schemas.documents import Documents
from schemas.federal_prosecutions import FederalProsecutions
from schemas.federal_sentencing import FederalSentencing
from schemas.icac_task_force_activity import IcacTaskForceActivity

# Published table name -> model. Order is the order of datapackage.json resources.
TABLES = {
    "cybertipline_reports_by_year": CybertiplineReportsByYear,
    "cybertipline_reports_by_esp": CybertiplineReportsByEsp,
    "cybertipline_reports_by_country": CybertiplineReportsByCountry,
    "cybertipline_reports_to_law_enforcement": CybertiplineReportsToLawEnforcement,
    "cybertipline_law_enforcement_feedback": CybertiplineLawEnforcementFeedback,
    "icac_task_force_activity": IcacTaskForceActivity,
    "federal_sentencing": FederalSentencing,
    "federal_prosecutions": FederalProsecutions,
    "documents": Documents,
}


FAMILIES = {
    "cybertipline_reports_by_year": "reports",
    "cybertipline_reports_by_esp": "reports",
    "cybertipline_reports_by_country": "reports",
    "cybertipline_reports_to_law_enforcement": "reports",
    "cybertipline_law_enforcement_feedback": "reports",
    "icac_task_force_activity": "outcomes",
    "federal_sentencing": "outcomes",
    "federal_prosecutions": "outcomes",
    "documents": "documents",
}


def family_of(table: str) -> str:
    return FAMILIES[table]
