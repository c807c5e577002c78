import pytest
from ceangal.testing import browser as b

def test_nojs(page_without_js, base_url, people):
    p = page_without_js
    p.goto(base_url + "/accounts/login/")
    print("TITLE", p.title())
    try:
        print(len(b.axe_violations(p)))
    except Exception as e:
        print("AXE FAIL", type(e), str(e)[:300])
    b.no_scan_possible(p)

def test_login(page, base_url, people):
    try:
        b.sign_in(page, base_url, people.council_worker.user.email, "correct-horse-battery-staple-7")
    except AssertionError as e:
        print(str(e)[:3000])
    b.no_scan_possible(page)
    print(page.url)
