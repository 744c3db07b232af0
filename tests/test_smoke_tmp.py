from tests.conftest import FOCAL, text_of, buttons_of


async def test_smoke(harness):
    calls = await harness.join(FOCAL, "SNV")
    print(text_of(calls))
    calls = await harness.send(FOCAL, "/kehoach")
    print(text_of(calls), buttons_of(calls))
