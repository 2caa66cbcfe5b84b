"""What delegation rosters call countries and roles, beyond the names Django and
django-countries give in the app's languages.

Rosters come from many hands (NEMO/ELMO user lists, VoteMonitor observer lists,
partners' spreadsheets in English, Spanish or French): they use the common short and
former names of countries and each organisation's words for its roles.
"""

from observation.models import DelegationMember

# Languages of country names read besides the app's own: rosters of francophone
# partners and missions.
EXTRA_COUNTRY_LANGUAGES = ("fr",)

# Names django-countries does not give (it has "United Kingdom", "Türkiye", "Czechia",
# "Côte d'Ivoire", "North Macedonia", "Eswatini", "Myanmar", "Cabo Verde", "Timor-Leste",
# "Holy See"). England, Scotland, Wales and Northern Ireland are nationalities of one ISO
# country, GB. "Korea" alone names two countries and is not guessed.
COUNTRY_ALIASES = {
    "US": (
        "United States",
        "U.S.",
        "U.S.A.",
        "EE. UU.",
        "EEUU",
        "Estados Unidos de América",
        "États-Unis",
        "États-Unis d'Amérique",
    ),
    "GB": (
        "UK",
        "U.K.",
        "Great Britain",
        "Britain",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "Gran Bretaña",
        "Grande-Bretagne",
    ),
    "TR": ("Turkey", "Turquía", "Turquie"),
    "CZ": ("Czech Republic", "República Checa", "République tchèque"),
    "CI": ("Ivory Coast", "Costa de Marfil"),
    "MK": ("Macedonia", "Republic of Macedonia", "Macédoine"),
    "SZ": ("Swaziland", "Suazilandia"),
    "MM": ("Burma", "Birmania", "Birmanie"),
    "CV": ("Cape Verde", "Cap-Vert"),
    "TL": ("East Timor", "Timor Oriental", "Timor oriental"),
    "VA": ("Vatican", "Vatican City", "Vaticano", "Ciudad del Vaticano"),
    "NL": ("Holland", "Holanda", "Hollande"),
}

Role = DelegationMember.Role

# Each organisation's words for a delegation role, in English, Spanish and French, with
# the abbreviations of observation missions (LTO, STO, OBS). Experts and analysts are the
# core team, as in EU and OAS missions.
ROLE_ALIASES = {
    Role.LEADER: (
        "head of delegation",
        "head of mission",
        "delegation leader",
        "chief observer",
        "líder",
        "lider",
        "jefe de delegación",
        "jefa de delegación",
        "jefe de misión",
        "jefa de misión",
        "chef de délégation",
        "cheffe de délégation",
        "chef de mission",
        "observateur en chef",
    ),
    Role.CO_LEADER: (
        "co-leader",
        "deputy head",
        "deputy head of mission",
        "deputy chief observer",
        "co-líder",
        "colíder",
        "jefe adjunto",
        "jefa adjunta",
        "subjefe de misión",
        "co-chef",
        "chef adjoint",
        "cheffe adjointe",
    ),
    Role.CORE_TEAM: (
        "core",
        "core team member",
        "expert",
        "analyst",
        "equipo central",
        "equipo base",
        "experto",
        "experta",
        "analista",
        "équipe cadre",
        "équipe centrale",
        "experte",
        "analyste",
    ),
    Role.LONG_TERM_OBSERVER: (
        "LTO",
        "long term observer",
        "observador de largo plazo",
        "observadora de largo plazo",
        "OLP",
        "observateur de longue durée",
        "observatrice de longue durée",
        "OLT",
    ),
    Role.SHORT_TERM_OBSERVER: (
        "STO",
        "OBS",
        "observer",
        "observador",
        "observadora",
        "observateur",
        "observatrice",
        "short term observer",
        "observador de corto plazo",
        "observadora de corto plazo",
        "OCP",
        "observateur de courte durée",
        "observatrice de courte durée",
        "OCT",
    ),
    Role.STAFF: ("personal", "personnel", "support staff", "personal de apoyo", "logistics"),
}
