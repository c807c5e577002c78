import json
from ceangal.api.tests.conftest import *
def test_x(personas, council_case, as_key):
    r = as_key(personas.untrained).get(council_case.url)
    print(r.status_code, r.content)
