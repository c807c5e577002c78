"""Made-up names, places and phrases the synthetic records are drawn from (safe by construction)."""

from __future__ import annotations

FIFE = "S12000047"
SYNTHETIC_NOTE = "Synthetic record made by manage.py seed; not a real person."

GIVEN_NAMES = (
    "Ailsa", "Alasdair", "Aileen", "Amir", "Ayesha", "Blair", "Callum", "Cameron", "Catriona", "Chidi",
    "Duncan", "Eilidh", "Emily", "Euan", "Ewan", "Finlay", "Fiona", "Fraser", "Freya", "Grant",
    "Hamish", "Innes", "Iona", "Isla", "Jack", "Jamie", "Kenzie", "Kirsty", "Lachlan", "Lewis",
    "Mairi", "Mhairi", "Morag", "Murdo", "Niamh", "Oksana", "Olivia", "Orla", "Priya", "Rhona",
    "Ross", "Ruaridh", "Shona", "Skye", "Struan", "Tomasz", "Zainab", "Connor", "Erin", "Kyle",
)  # fmt: skip
FAMILY_NAMES = (
    "Anderson", "Baird", "Brennan", "Buchanan", "Campbell", "Docherty", "Duffy", "Ferguson", "Forbes",
    "Fraser", "Gillies", "Grieve", "Hamilton", "Henderson", "Kerr", "Khan", "Kowalski", "Lindsay",
    "MacDonald", "MacLeod", "McIntyre", "Morrison", "Murray", "Nowak", "O'Neill", "Okafor", "Paterson",
    "Patel", "Reid", "Robertson", "Ross", "Scott", "Sinclair", "Stewart", "Thomson", "Wallace",
    "Watson", "Wilson", "Young", "Ahmed",
)  # fmt: skip
FIFE_TOWNS = (
    ("Kirkcaldy", "KY1"), ("Kirkcaldy", "KY2"), ("Burntisland", "KY3"), ("Cowdenbeath", "KY4"),
    ("Lochgelly", "KY5"), ("Glenrothes", "KY6"), ("Glenrothes", "KY7"), ("Leven", "KY8"),
    ("Methil", "KY8"), ("Anstruther", "KY10"), ("Dunfermline", "KY11"), ("Dunfermline", "KY12"),
    ("Cupar", "KY15"), ("St Andrews", "KY16"),
)  # fmt: skip
# Clients living just outside Fife, with a postcode area to match their council.
NEIGHBOURS = (("S12000048", "Perth", "PH1"), ("S12000005", "Alloa", "FK10"), ("S12000042", "Dundee", "DD4"))
STREETS = (
    "High Street", "Station Road", "Mill Wynd", "Kirk Brae", "Harbour View", "Forth Avenue",
    "Links Street", "Bank Street", "Mid Street", "Park Road", "School Lane", "Church Street",
)  # fmt: skip
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in the inward code
QUALIFICATIONS = (
    ("National 4 English", "SCQF04", "SQA"),
    ("National 5 Mathematics", "SCQF05", "SQA"),
    ("Higher English", "SCQF06", "SQA"),
    ("Higher Human Biology", "SCQF06", "SQA"),
    ("SVQ Hospitality (level 2)", "SCQF05", "SQA"),
    ("HNC Social Services", "SCQF07", "SQA"),
    ("HND Computing", "SCQF08", "SQA"),
    ("Modern Apprenticeship in Construction", "SCQF06", "CITB"),
    ("Elementary Food Hygiene", "SCQF05", "REHIS"),
    ("Core Skills: Communication", "SCQF04", "SQA"),
    ("BA Business Studies", "SCQF09", ""),
    ("Secondary school certificate from abroad", "NONUK", ""),
)
EXPERIENCE = (
    ("employment", "Sales assistant", "Supermarket"),
    ("employment", "Warehouse operative", "Distribution centre"),
    ("employment", "Care assistant", "Care home"),
    ("employment", "Kitchen porter", "Hotel"),
    ("employment", "Labourer", "Building contractor"),
    ("employment", "Call handler", "Contact centre"),
    ("volunteering", "Shop volunteer", "Charity shop"),
    ("volunteering", "Coach", "Football club"),
    ("education", "Student", "College"),
    ("other", "Carer for a parent", ""),
)
ACTIVITY_TITLES = {
    "OUTREACH": "Drop-in at the community hub",
    "NEEDS_ASSESSMENT": "Initial needs assessment",
    "ACTION_PLAN": "Agreeing an action plan",
    "CONFIDENCE": "Confidence-building group",
    "CIAG": "Careers guidance session",
    "FINANCIAL_ADVICE": "Better-off-in-work calculation",
    "HEALTH_WELLBEING": "Wellbeing course",
    "EMP_SKILLS": "CV and interview workshop",
    "VOC_TRAINING": "Construction skills course",
    "WORK_EXPERIENCE": "Work placement",
    "VOLUNTEERING": "Volunteering placement",
    "JOB_SEARCH": "Job club",
    "JOB_MATCHING": "Matched to a vacancy",
    "IN_WORK_SUPPORT": "In-work support check-in",
}
PROVIDERS = ("Community learning team", "Local college", "Employability hub", "Third-sector partner", "")
EMPLOYERS = ("Local care provider", "Supermarket", "Council services", "Hotel and leisure", "Engineering firm")
HEALTH_DETAILS = (
    "Anxiety, worse in crowded places.",
    "Type 1 diabetes.",
    "Back injury after a fall; cannot lift heavy loads.",
    "Dyslexia.",
    "Hearing loss in one ear.",
    "Depression, under the care of their GP.",
    "Fatigue after a long illness.",
    "",
)
ADJUSTMENTS = (
    "Quiet room for appointments.",
    "Regular breaks.",
    "Written instructions as well as spoken ones.",
    "Morning appointments.",
    "Ground-floor meeting room.",
    "",
)
OFFENCES = ("Breach of the peace", "Shoplifting", "Driving without insurance", "Possession of a controlled drug")
SENTENCES = ("Fine", "Community Payback Order, 120 hours", "Admonished", "Six months' custody")
DISCLOSURE_NOTES = ("Spent; no need to disclose for most jobs.", "Disclose if asked until the order ends.", "")
NEED_NOTES = ("Working on this with their key worker.", "Referred for specialist help.", "", "")
