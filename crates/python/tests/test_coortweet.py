"""CooRTweet's functions against CooRTweet itself, on its own Russian retweet
data. The reference files were made by the real package (d31a008) with
scripts/coortweet_reference.R; they hold detect_groups' rows and the edges of
generate_coordinated_network for three parameter sets."""

from pathlib import Path

import pandas as pd
import pytest

from conftest import REAL
from swarmscan import coortweet

DATA = REAL / "coordination_benchmarks" / "cooRtweet_russian_coord_tweets.csv.gz"
REFERENCE = Path(__file__).parent / "data" / "coortweet"
CASES = [(10, 5, True, "w10_m5_noloops"), (10, 5, False, "w10_m5_loops"), (60, 2, True, "w60_m2_noloops")]


@pytest.fixture(scope="module")
def tweets():
    return pd.read_csv(DATA, dtype={"object_id": str, "account_id": str, "content_id": str})


@pytest.mark.parametrize("window,participation,no_loops,tag", CASES)
def test_detect_groups_and_network_equal_coortweet(tweets, window, participation, no_loops, tag):
    got = coortweet.detect_groups(tweets, time_window=window, min_participation=participation, remove_loops=no_loops)
    want = pd.read_csv(REFERENCE / f"groups_{tag}.csv.gz", dtype=str)
    want["time_delta"] = want["time_delta"].astype("int64")
    want = want.sort_values(["object_id", "content_id", "content_id_y"], kind="stable").reset_index(drop=True)
    assert list(got.columns) == ["object_id", "account_id", "account_id_y", "content_id", "content_id_y", "time_delta"]
    pd.testing.assert_frame_equal(got, want)

    graph = coortweet.generate_coordinated_network(got, edge_weight=0.5)
    edges = pd.DataFrame([dict(a=min(u, v), b=max(u, v), **d) for u, v, d in graph.edges(data=True)])
    edges = edges.sort_values(["a", "b"]).reset_index(drop=True)
    ref = pd.read_csv(REFERENCE / f"network_{tag}.csv.gz", dtype={"a": str, "b": str})
    cols = ["a", "b", "weight", "avg_time_delta", "n_content_id", "n_content_id_y", "edge_symmetry_score", "weight_threshold"]
    pd.testing.assert_frame_equal(edges[cols], ref[cols], check_dtype=False)


def test_self_coordination_is_removed_as_coortweets_tests_say(tweets):
    # CooRTweet's own test: this account coordinates only with itself.
    account = "9fa51ef17278c01d13d313741eddfc0b"
    for remove_loops, present in [(True, False), (False, True)]:
        r = coortweet.detect_groups(tweets, time_window=10, min_participation=5, remove_loops=remove_loops)
        g = coortweet.generate_coordinated_network(r)
        assert (account in g.nodes) == present, remove_loops


def test_missing_columns_and_fast_net_are_errors(tweets):
    with pytest.raises(ValueError, match="missing: timestamp_share"):
        coortweet.detect_groups(tweets.drop(columns=["timestamp_share"]))
    r = coortweet.detect_groups(tweets, time_window=10, min_participation=5)
    with pytest.raises(ValueError, match="flag_speed_share"):
        coortweet.generate_coordinated_network(r, fast_net=True)
    sub = coortweet.generate_coordinated_network(r, subgraph=1)
    assert all(d["weight_threshold"] == 1 for _, _, d in sub.edges(data=True))
