import pytest

from talentloop.resumes.work import parse_work


def _summary(text):
    return [
        (job.title, job.company, job.location, job.period.raw if job.period else "")
        for job in parse_work(text)
    ]


def test_title_company_dates_on_separate_lines():
    text = "\n".join(
        [
            "Data Analyst",
            "",
            "Fernhollow Technologies Pvt Ltd - Pune, Maharashtra",
            "",
            "June 2017 to Present",
            "",
            "• Built the weekly sales dashboards for the regional teams.",
            "Support Engineer",
            "Quillmark Systems - Chennai, Tamil Nadu",
            "August 2014 to May 2017",
            "• Answered escalations from enterprise customers every day.",
        ]
    )

    assert _summary(text) == [
        (
            "Data Analyst",
            "Fernhollow Technologies Pvt Ltd",
            "Pune, Maharashtra",
            "June 2017 to Present",
        ),
        ("Support Engineer", "Quillmark Systems", "Chennai, Tamil Nadu", "August 2014 to May 2017"),
    ]


def test_one_line_entries():
    text = "\n".join(
        [
            "Larkspur Bank — Senior Risk Analyst (2019 \u2013 present)",
            "Modelled credit exposure.",
            "Product Manager at Ambervale Inc, Boston, MA",
            "Mar 2015 - Dec 2018",
            "Ran the mobile roadmap.",
            "Java Developer | Tidewater Solutions | 2012\u201314",
        ]
    )

    assert _summary(text) == [
        ("Senior Risk Analyst", "Larkspur Bank", "", "2019 \u2013 present"),
        ("Product Manager", "Ambervale Inc", "Boston, MA", "Mar 2015 - Dec 2018"),
        ("Java Developer", "Tidewater Solutions", "", "2012\u201314"),
    ]


def test_livecareer_layout():
    text = "\n".join(
        [
            "Company Name City , State Plant Fulfillment Leader 11/2015 to Current",
            "Planned the master schedule.",
            "Senior Accountant Mar 2006 - Current",
            "Company Name City , State",
            "Reconciled balance sheet accounts.",
        ]
    )

    assert _summary(text) == [
        ("Plant Fulfillment Leader", "Company Name", "City, State", "11/2015 to Current"),
        ("Senior Accountant", "Company Name", "City, State", "Mar 2006 - Current"),
    ]


def test_a_placeholder_employer_is_no_label_and_no_part_of_a_title():
    text = "\n".join(
        [
            "Work History",
            "Sales Associate 04/2013 to Current",
            "Company Name \u2013 City , State",
            "Greeted customers.",
            "05/2014 - Current",
            "Company Name - City , State Automobile Transporter",
            "Hauled cars.",
            "2010 - 2012",
            "Company Name - Larkspur Logistics Limited",
            "Designation - Dispatcher",
            "01/2008 to 07/2009",
            "Lead Teacher Company Name \u2013 City , State",
            "Ran a classroom.",
            "Company Name - Import Designer",
            "City , State 02/2006 - 01/2008",
            "Designed imports.",
            "Accountant cum Secretary",
            "August 2005 to July 2006 Company Name - City",
            "Kept the books.",
        ]
    )

    assert _summary(text) == [
        ("Sales Associate", "Company Name", "City, State", "04/2013 to Current"),
        ("Automobile Transporter", "Company Name", "City, State", "05/2014 - Current"),
        ("Dispatcher", "Larkspur Logistics Limited", "", "2010 - 2012"),
        ("Lead Teacher", "Company Name", "City, State", "01/2008 to 07/2009"),
        ("Import Designer", "Company Name", "City, State", "02/2006 - 01/2008"),
        ("Accountant cum Secretary", "Company Name", "City", "August 2005 to July 2006"),
    ]


def test_brackets_in_a_header_stay_whole():
    text = "\n".join(
        [
            "Qualified Professional (QMRP) 11/2011 to 12/2012",
            "Company Name - City , State",
            "Kept records.",
            "Technology Analyst (TA) (Dec 2008 - July 2011), Larkspur Systems",
            "Wrote reports.",
            "Customer Service Advisor (part time to 2011, full time from 2013)",
            "Tidewater Bank",
            "Answered calls.",
            "Project Leader (contract), Ambervale Inc (Boston, MA) 2001 - 2003",
            "Led projects.",
            "2/1999-7/2000, Program Manager, Brookside Inc. (for the Oregon Transit Agency(",
            "Ran programs.",
        ]
    )

    assert _summary(text) == [
        ("Qualified Professional (QMRP)", "Company Name", "City, State", "11/2011 to 12/2012"),
        ("Technology Analyst (TA)", "Larkspur Systems", "", "Dec 2008 - July 2011"),
        ("Customer Service Advisor", "Tidewater Bank", "", "from 2013"),
        ("Project Leader (contract)", "Ambervale Inc", "Boston, MA", "2001 - 2003"),
        ("Program Manager", "Brookside Inc.", "", "2/1999-7/2000"),
    ]


def test_description_and_current_flag():
    jobs = parse_work("Backend Developer\nOakbridge Software\n2018 - Present\nWrote services.")

    assert len(jobs) == 1
    assert jobs[0].description == "Wrote services."
    assert jobs[0].period is not None and jobs[0].period.current
    assert 0 < jobs[0].confidence <= 1


def test_dated_sentences_are_not_jobs():
    assert parse_work("Led the migration of 40 services to Kubernetes in 2019 for the team.") == []


def test_job_board_layout_company_lines_end_with_a_dash():
    text = "\n".join(
        [
            "Regional Sales Lead -Enterprises",
            "",
            "vTelloria Networks Pvt Ltd -",
            "",
            "October 2012 to Present",
            "",
            "title as Key Account Lead for the western region.",
            "Sales Executive",
            "",
            "Brightwater Telecom (M) Ltd - Nagpur, Maharashtra -",
            "",
            "August 2008 to September 2012",
            "",
            "* Opened forty new corporate accounts.",
        ]
    )

    jobs = parse_work(text)

    assert [(j.title, j.company, j.location, j.period.raw if j.period else "") for j in jobs] == [
        (
            "Regional Sales Lead -Enterprises",
            "vTelloria Networks Pvt Ltd",
            "",
            "October 2012 to Present",
        ),
        (
            "Sales Executive",
            "Brightwater Telecom (M) Ltd",
            "Nagpur, Maharashtra",
            "August 2008 to September 2012",
        ),
    ]
    assert jobs[0].description == "title as Key Account Lead for the western region."
    assert jobs[1].description == "Opened forty new corporate accounts."


def test_job_board_layout_keeps_a_job_without_dates():
    text = "\n".join(
        [
            "Technical Architect",
            "",
            "Northwind Services -  Pune, Maharashtra",
            "",
            "Software Engineer 2",
            "",
            "Contoso -  Redmond, WA -",
            "",
            "June 2016 to February 2017",
            "",
            "Kept the lights on in all data centres.",
        ]
    )

    jobs = parse_work(text)

    assert [(j.title, j.company, j.location, j.period.raw if j.period else "") for j in jobs] == [
        ("Technical Architect", "Northwind Services", "Pune, Maharashtra", ""),
        ("Software Engineer 2", "Contoso", "Redmond, WA", "June 2016 to February 2017"),
    ]
    assert jobs[0].description == ""
    assert jobs[1].description == "Kept the lights on in all data centres."


def test_employer_names_ending_in_ing_are_headers():
    text = "\n".join(
        [
            "Rolling Meadow Motorsports",
            "Bowling Green, Kentucky",
            "Pit Crew Lead",
            "April 2009-June 2011",
            "Prepared the cars before every race weekend",
        ]
    )

    assert _summary(text) == [
        (
            "Pit Crew Lead",
            "Rolling Meadow Motorsports",
            "Bowling Green, Kentucky",
            "April 2009-June 2011",
        )
    ]


def test_titles_opening_with_an_ordinal_are_headers():
    text = "2nd Grade Replacement Teacher\nJanuary 2013 to August 2013\nTaught reading daily."

    assert _summary(text)[0][0] == "2nd Grade Replacement Teacher"


def test_employer_with_a_company_word_before_its_city_is_not_a_place():
    text = "\n".join(
        [
            "Core Java Developer",
            "Brightwater Technologies, San Jose",
            "April 2013 - Present",
            "Built the batch import service for the billing team.",
        ]
    )

    assert _summary(text) == [
        ("Core Java Developer", "Brightwater Technologies", "", "April 2013 - Present")
    ]


def test_roles_under_an_employer_line_take_its_name():
    text = "\n".join(
        [
            "MARBLEGATE BANK CORPORATION, Fairview, Illinois",
            "1995 to 2004",
            "Chief Administrative Officer",
            "2000 to 2004",
            "Ran the administration of the international division.",
            "Regional Finance Manager",
            "1995 to 1999",
            "Kept the books of the southern branches.",
        ]
    )

    assert _summary(text) == [
        (
            "Chief Administrative Officer",
            "MARBLEGATE BANK CORPORATION",
            "Fairview, Illinois",
            "2000 to 2004",
        ),
        (
            "Regional Finance Manager",
            "MARBLEGATE BANK CORPORATION",
            "Fairview, Illinois",
            "1995 to 1999",
        ),
    ]


def test_a_state_name_after_a_city_is_part_of_the_place():
    text = "\n".join(
        [
            "2011 to Present",
            "Pinecrest Fabrication, Santa Rosa, California",
            "Shop Supervisor",
            "Set up the machine shop.",
        ]
    )

    assert _summary(text) == [
        ("Shop Supervisor", "Pinecrest Fabrication", "Santa Rosa, California", "2011 to Present")
    ]


def test_the_employer_site_is_not_the_employer_name():
    text = "\n".join(
        [
            "Lead Android Engineer,",
            "Tealbird Dating",
            "09/14-Present",
            "tealbirddating.com",
            "● Built the Android application.",
        ]
    )

    assert _summary(text) == [("Lead Android Engineer", "Tealbird Dating", "", "09/14-Present")]


def test_skill_list_lines_above_an_entry_are_not_its_header():
    text = "\n".join(
        [
            "Databases: SQL Server, MySQL, Oracle",
            "Applications: Visual Studio, Flash, Visio",
            "Larkspur Media Group January 2008 - Present",
            "Sr. Web Developer",
            "Built the localisation tools for the web team.",
        ]
    )

    assert _summary(text) == [
        ("Sr. Web Developer", "Larkspur Media Group", "", "January 2008 - Present")
    ]


def test_quoted_paper_titles_and_bare_suffixes_are_no_employers():
    text = "\n".join(
        [
            "\u201cA Study of Storage Engines for Small Archives\u201d",
            "Inc.",
            "2014 - 2016",
            "\uf0a7 Wrote the storage benchmarks for the research group.",
        ]
    )

    assert [job.company for job in parse_work(text)] == []


def test_an_employer_and_its_town_under_a_title_are_split() -> None:
    jobs = parse_work(
        "Software Engineer\nAcme Analytics, Lowtown\nFebruary 2018 - April 2022\nBuilt things.\n\n"
        "Data Analyst\nAustin, TX\nMay 2016 - January 2018\nCounted things.\n\n"
        "Intern\nPune, India\n2015 - 2016\nLearnt things.\n"
    )

    assert [(j.title, j.company, j.location) for j in jobs] == [
        ("Software Engineer", "Acme Analytics", "Lowtown"),
        ("Data Analyst", "", "Austin, TX"),
        ("Intern", "", "Pune, India"),
    ]


def test_a_labelled_line_says_what_its_value_is() -> None:
    jobs = parse_work(
        "Support engineer\nQuillmark\nPosition: SUPPORT ENGINEER\n\nAnswered escalations.\n\n"
        "Designation: Team Lead\nCompany Name: Fernhollow\nDuration: 2015 - 2018\n"
        "Led a team of four.\n"
    )

    assert [(j.title, j.company) for j in jobs] == [
        ("SUPPORT ENGINEER", "Quillmark"),
        ("Team Lead", "Fernhollow"),
    ]


def test_a_bulleted_employer_line_with_dates_split_over_two_lines_is_a_header() -> None:
    jobs = parse_work(
        "\uf0e0\nBrightwater Business Solutions Pvt Ltd, Bangalore ( Sept 13\nTill Date)\n"
        "Role : Lead Data Analyst\nBuilt the data quality programme for every business unit.\n"
        "\uf0e0\nQuillmark Technologies Limited, Bangalore ( Jun 06 - Jul 11)\n"
        "Role : Technology Analyst\nWrote reports for the risk desk of a large client bank.\n"
        "\u2022 From 2009 - 2010 reviewed the designs of the team and the tests of each release\n"
    )

    assert [(j.company, j.title, j.period.raw if j.period else "") for j in jobs] == [
        ("Brightwater Business Solutions Pvt Ltd", "Lead Data Analyst", "Sept 13 - Till Date"),
        ("Quillmark Technologies Limited", "Technology Analyst", "Jun 06 - Jul 11"),
    ]


def test_where_ranges_date_the_jobs_a_lone_year_is_no_job() -> None:
    jobs = parse_work(
        "Software Engineer, Quillmark Systems Ltd\n2015 - 2018\nBuilt the billing service.\n\n"
        "Analyst, Fernhollow Labs\n2012 - 2015\nCounted things.\n\n"
        "Exchange Server 2010\nMigrated the mail of every office.\n\n"
        "Best Paper Award, Data Systems Society\n2011\n"
    )

    assert [(j.title, j.company) for j in jobs] == [
        ("Software Engineer", "Quillmark Systems Ltd"),
        ("Analyst", "Fernhollow Labs"),
    ]
    # Alone, a job dated by its year stays a job.
    assert [(j.title, j.company) for j in parse_work("Analyst, Fernhollow Labs\n2011\n")] == [
        ("Analyst", "Fernhollow Labs")
    ]


def test_a_phrase_of_lower_case_words_is_no_employer() -> None:
    jobs = parse_work(
        "Recruitment Lead\nIdentification of various channels for sourcing and hiring\n"
        "October 2008 - Present\nRan the hiring of the sales team.\n"
    )

    assert [(j.title, j.company) for j in jobs] == [("Recruitment Lead", "")]


@pytest.mark.parametrize(
    ("first", "second", "raw"),
    [
        ("June 17 -", "Today", "June 17 - Today"),
        ("Dec. 16 -", "June 17", "Dec. 16 - June 17"),
        ("January 2015", "- May 2015", "January 2015 - May 2015"),
        ("January 2008", "Present", "January 2008 - Present"),
        ("10/2012", "05/2013", "10/2012 - 05/2013"),
    ],
)
def test_a_date_range_broken_over_two_lines_is_one(first: str, second: str, raw: str) -> None:
    jobs = parse_work(f"{first}\n{second}\nData Engineer, Fernhollow Labs\nBuilt pipelines.\n")

    assert [(j.title, j.company, j.period.raw if j.period else "") for j in jobs] == [
        ("Data Engineer", "Fernhollow Labs", raw)
    ]


def test_a_lone_date_over_a_line_that_opens_with_the_end_date() -> None:
    # A flattened text lost the dash of "2005 - Present: Technician, ...": two lines.
    jobs = parse_work(
        "2005\nPresent: Vehicle Technician, Quillmark Garage Service Center\n"
        "Retrofitted cars for alternative fuels.\n"
        "2001\n2005: Mechanic, Fernhollow Motors\nServiced engines.\n"
    )

    assert [
        (j.title, j.company, j.period.raw if j.period else "", bool(j.period and j.period.current))
        for j in jobs
    ] == [
        ("Vehicle Technician", "Quillmark Garage Service Center", "2005 - Present", True),
        ("Mechanic", "Fernhollow Motors", "2001 - 2005", False),
    ]


def test_title_colon_employer_and_a_city_with_a_state_code() -> None:
    jobs = parse_work(
        "1999 - Present\nFull Time Instructor: Kestrel State University\nKent OH\n"
        "Taught systems analysis to three hundred students a year.\n\n"
        "2007 - 2013\nSystems Programmer, Quillmark Media Lab.\n"
        "Led the redesign of the main website for the whole lab.\n"
    )

    assert [(j.title, j.company, j.location) for j in jobs] == [
        ("Full Time Instructor", "Kestrel State University", "Kent OH"),
        ("Systems Programmer", "Quillmark Media Lab", ""),
    ]


def test_a_short_sentence_naming_a_title_is_still_a_sentence() -> None:
    jobs = parse_work(
        "Office Clerk, Fernhollow Labs\n2015 - 2018\nReported to the Director.\n"
        "Managed the office of the Director.\n"
    )

    assert [(j.title, j.company) for j in jobs] == [("Office Clerk", "Fernhollow Labs")]
    assert jobs[0].description == "Reported to the Director.\nManaged the office of the Director."


def test_numbers_label_words_and_open_brackets_are_no_employers() -> None:
    jobs = parse_work(
        "Senior Analyst | 16 | Position\nJuly 2011 to August 2012\nBuilt the models.\n\n"
        "Associate Technology [\nData Engineer\nJan 2009 to June 2011\nMoved the data.\n"
    )

    assert [(j.title, j.company) for j in jobs] == [
        ("Senior Analyst", ""),
        ("Data Engineer", "Associate Technology"),
    ]


@pytest.mark.parametrize(
    "header",
    [
        "Project Manager at Fernhollow Labs",
        "Key Account Manager at Fernhollow Labs",
        "Technology Director at Fernhollow Labs",
        "Client Services Lead at Fernhollow Labs",
        "Environmental Engineer at Fernhollow Labs",
    ],
)
def test_a_title_opening_with_a_description_word_is_a_header(header: str) -> None:
    jobs = parse_work(f"{header}\nFebruary 2013 - June 2014\nManaged a team of six.\n")

    assert [(j.title, j.company) for j in jobs] == [(header.split(" at ")[0], "Fernhollow Labs")]


def test_description_lines_opening_with_those_words_stay_descriptions() -> None:
    jobs = parse_work(
        "Data Engineer at Fernhollow Labs\nFebruary 2013 - June 2014\n"
        "Project: Billing Migration\nKey achievements\nTechnologies: Python, Kafka, Spark\n"
    )

    assert [(j.title, j.company) for j in jobs] == [("Data Engineer", "Fernhollow Labs")]
    assert jobs[0].description.splitlines()[0] == "Project: Billing Migration"


def test_a_duration_beside_the_dates_and_a_legal_form_name_no_place() -> None:
    jobs = parse_work(
        "Developer at Quillmark Animatics, Inc\nSeptember 2005 - June 2006 (10 months)\n"
        "Built the Flash applications.\n"
        "Electronics Technician at Fernhollow Labs\nMarch 2000 - June 2001 (1 year 4 Months)\n"
        "Trained as a reactor operator.\n"
    )

    assert [(j.title, j.company, j.location) for j in jobs] == [
        ("Developer", "Quillmark Animatics, Inc", ""),
        ("Electronics Technician", "Fernhollow Labs", ""),
    ]


def test_a_bulleted_line_opening_with_dates_before_a_title_is_a_header() -> None:
    jobs = parse_work(
        "• July 2020 \u2013 now: Java Back-End Developer, Fernhollow Labs Ltd (Israel, Rehovot) "
        "www.fernhollow.example\nBuilt fourteen microservices for the shops.\n"
        "• 2019 \u2013 2020: Led the migration of the billing system to the new cloud platform\n"
    )

    assert [(j.title, j.company, j.period.raw if j.period else "") for j in jobs] == [
        ("Java Back-End Developer", "Fernhollow Labs Ltd", "July 2020 \u2013 now")
    ]
    assert "Led the migration" in jobs[0].description


def test_a_security_clearance_beside_a_job_is_no_title() -> None:
    jobs = parse_work(
        "Fernhollow Civilian Service | SECRET | May 2011 - Present\n"
        "Delivered decision support tools for the leadership of the agency.\n"
    )

    assert [(j.title, j.company) for j in jobs] == [("", "Fernhollow Civilian Service")]


def test_a_duty_ending_in_a_title_word_is_no_title() -> None:
    jobs = parse_work(
        "Teaching Assistant\nTeaching & Mentoring Communities - Vincennes, IN\n"
        "Nov 2010 - Mar 2011\nGraded the weekly quizzes of forty students.\n"
        "Provided professional development supervision for support staff\n"
        "Attend the required monthly staff meetings\n"
    )

    assert [(j.title, j.company) for j in jobs] == [
        ("Teaching Assistant", "Teaching & Mentoring Communities")
    ]


def test_military_ranks_are_titles() -> None:
    jobs = parse_work(
        "11/2013-1/2022, Cyber Operations NCO, Fernhollow Army National Guard\n"
        "Supervised a team of incident responders and forensic analysts.\n"
    )

    assert [(j.title, j.company) for j in jobs] == [
        ("Cyber Operations NCO", "Fernhollow Army National Guard")
    ]


def test_a_job_continued_over_a_page_break_is_not_a_second_job() -> None:
    jobs = parse_work(
        "Sales Director, Fernhollow Labs\n2009 - 2014\nOpened the Asian markets.\n"
        "Sales Director, (Continued)\nBuilt the partner programme.\n"
    )

    assert [(j.title, j.company) for j in jobs] == [("Sales Director", "Fernhollow Labs")]


def test_a_title_with_a_comma_before_at_is_one_title() -> None:
    jobs = parse_work(
        "Technology Director, CSM at Fernhollow Labs\nFebruary 2013 - Present\n"
        "Managed the team of developers.\n"
    )

    assert [(j.title, j.company) for j in jobs] == [("Technology Director, CSM", "Fernhollow Labs")]
