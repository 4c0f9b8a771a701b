import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from mediabill_common.auth import JwtVerifier, expand_roles
from mediabill_common.auth.mint import mint_token
from mediabill_common.auth.principal import person_of, same_person
from mediabill_common.auth.verify import InvalidToken

SECRET = "test-secret-which-is-long-enough-for-hs256"


def verifier() -> JwtVerifier:
    return JwtVerifier(hs256_secret=SECRET)


def test_valid_token_yields_principal_with_included_roles():
    principal = verifier().verify(mint_token("ana", ["billing-director"], secret=SECRET))
    assert principal.sub == "ana"
    assert principal.roles == {"billing-director", "billing-manager", "billing-analyst"}


def test_unknown_roles_are_dropped_and_auditor_cannot_write():
    assert expand_roles(["auditor", "root"]) == {"auditor"}
    principal = verifier().verify(mint_token("au", ["auditor"], secret=SECRET))
    assert not principal.can_write


def test_expired_token_is_refused():
    token = jwt.encode({"sub": "x", "roles": [], "exp": int(time.time()) - 10}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken, match="expired"):
        verifier().verify(token)


def test_wrong_signature_is_refused():
    token = mint_token("x", ["billing-analyst"], secret="another-secret-another-secret-1234")
    with pytest.raises(InvalidToken):
        verifier().verify(token)


def test_alg_none_is_refused():
    token = jwt.encode({"sub": "x", "roles": ["billing-director"], "exp": int(time.time()) + 60}, None,
                       algorithm="none")
    with pytest.raises(InvalidToken, match="not accepted"):
        verifier().verify(token)


def test_rs256_token_without_jwks_is_refused():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode({"sub": "x", "roles": [], "exp": int(time.time()) + 60}, key, algorithm="RS256")
    with pytest.raises(InvalidToken):
        verifier().verify(token)


def test_missing_exp_or_sub_is_refused():
    with pytest.raises(InvalidToken):
        verifier().verify(jwt.encode({"sub": "x", "roles": []}, SECRET, algorithm="HS256"))
    with pytest.raises(InvalidToken):
        verifier().verify(jwt.encode({"roles": [], "exp": int(time.time()) + 60}, SECRET, algorithm="HS256"))


def test_roles_claim_must_be_a_list_of_strings():
    token = jwt.encode({"sub": "x", "roles": "billing-director", "exp": int(time.time()) + 60}, SECRET,
                       algorithm="HS256")
    with pytest.raises(InvalidToken, match="roles"):
        verifier().verify(token)


def test_a_remembered_token_is_refused_once_it_expires():
    v = verifier()
    exp = int(time.time()) + 2
    token = jwt.encode({"sub": "x", "roles": ["auditor"], "exp": exp}, SECRET, algorithm="HS256")
    assert v.verify(token).sub == "x"
    assert v.verify(token).sub == "x"  # from the cache
    time.sleep(max(0.0, exp - time.time()) + 0.2)
    with pytest.raises(InvalidToken, match="expired"):
        v.verify(token)


def test_refusals_are_not_remembered_and_the_cache_is_bounded():
    v = JwtVerifier(hs256_secret=SECRET, cache_size=3)
    forged = mint_token("x", ["billing-analyst"], secret="another-secret-another-secret-1234")
    for _ in range(2):
        with pytest.raises(InvalidToken):
            v.verify(forged)
    tokens = [mint_token(f"user-{i}", ["auditor"], secret=SECRET) for i in range(5)]
    assert [v.verify(t).sub for t in tokens] == [f"user-{i}" for i in range(5)]
    assert len(v._cache) == 3 and forged not in v._cache
    assert list(v._cache) == tokens[2:]  # the least recently used went first


@pytest.mark.parametrize("spelling", ["RT-ALICE", "Rt-Alice", "ｒｔ－ａｌｉｃｅ", " rt-alice\t", "rt-al\u200bice",
                                      "rt-\u00adalice", "\ufeffrt-alice"])
def test_one_person_under_another_spelling_of_their_sub_is_the_same_person(spelling):
    assert person_of(spelling) == "rt-alice"
    assert same_person(spelling, "rt-alice")


def test_case_folding_goes_beyond_lower_case():
    assert same_person("STRASSE", "straße") and same_person("ΣΊΣΥΦΟΣ", "σίσυφος")


def test_different_people_stay_different():
    assert not same_person("rt-alice", "rt-alicia")
    assert not same_person("rt-alice", "rt-alice-2")
    assert not same_person("rt alice", "rt-alice")
