#!/usr/bin/env python3
"""Generate seeds/non_eu15_demo_FICTITIOUS.csv: FICTITIOUS demo counts of residents of
non-EU15 origin per municipality (300 municipalities of 2019-2024, reference year 2020).

    python3 scripts/gen_demo_non_eu15.py            # from the repository root

THESE ARE NOT OFFICIAL STATISTICS. The real per-municipality figures (Statistiek Vlaanderen,
"Bevolking naar herkomst", later "niet-EU14") are not available in this project; these numbers
only exist so the demo can show every eligibility rule. Replace them by importing the real
CSV before any real use.

Method (deterministic, standard library only, no network):
  count = round(population_2020_01_01 * share)
  share = a fictitious share: hand-picked for the cities and the towns the demo needs
          (SHARES below), otherwise drawn from random.Random(SEED) in a band that depends on
          the population size (RANDOM_BANDS). Two deliberate 15 % edge cases are set by count
          (EDGE_COUNTS). If a reference region could not pool 7,500 with its municipalities
          that are not above 7,500, the largest randomly drawn members get +0.01 until it can
          (TOP_UP_*); every such step is printed.
Then the script checks requirements (a)-(e) of the brief with asserts and prints a summary.
"""
import csv
import math
import os
import random
from collections import defaultdict
from itertools import combinations

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "seeds")
OUT = os.path.join(SEEDS, "non_eu15_demo_FICTITIOUS.csv")

SEED = 20200101
REFERENCE_YEAR = 2020
THRESHOLD = 7500          # single applicant: strictly more; pooled: at least
INCENTIVE_SHARE = 0.15
SOURCE = "FICTIEF demo-cijfer, geen officiële statistiek (gegenereerd door scripts/gen_demo_non_eu15.py)"

# Fictitious shares (fraction of the 2020 population). Names are the official Dutch names of
# municipalities_2019_2024.csv; every name is resolved to exactly one NIS code.
SHARES = {
    # big cities / named single applicants and other municipalities meant to be above 7,500
    "Antwerpen": 0.40, "Gent": 0.28, "Genk": 0.45, "Brugge": 0.155, "Leuven": 0.22,
    "Aalst": 0.20, "Mechelen": 0.27, "Hasselt": 0.16, "Sint-Niklaas": 0.22, "Kortrijk": 0.17,
    "Oostende": 0.18, "Roeselare": 0.125, "Beringen": 0.30, "Vilvoorde": 0.36,
    "Turnhout": 0.20, "Dilbeek": 0.20, "Lokeren": 0.19, "Halle": 0.20, "Maasmechelen": 0.38,
    "Zaventem": 0.27, "Lommel": 0.24, "Heusden-Zolder": 0.28, "Houthalen-Helchteren": 0.27,
    "Sint-Pieters-Leeuw": 0.22, "Menen": 0.23, "Sint-Truiden": 0.19, "Ninove": 0.20,
    "Asse": 0.23, "Grimbergen": 0.20, "Tienen": 0.22,
    # high share, but fewer than 7,500 residents of non-EU15 origin
    "Ronse": 0.25, "Boom": 0.27, "Machelen": 0.35, "Drogenbos": 0.32, "Wemmel": 0.20,
    "Kraainem": 0.14, "Wezembeek-Oppem": 0.12, "Sint-Genesius-Rode": 0.10, "Linkebeek": 0.10,
    "Leopoldsburg": 0.18, "Dilsen-Stokkem": 0.16, "Zelzate": 0.16, "Borsbeek": 0.16,
    "Denderleeuw": 0.14, "Liedekerke": 0.13, "Niel": 0.14, "Hemiksem": 0.13, "Mortsel": 0.14,
    "Schoten": 0.14,
    # medium towns
    "Dendermonde": 0.12, "Beveren": 0.10, "Geel": 0.11, "Mol": 0.11, "Heist-op-den-Berg": 0.06,
    "Deinze": 0.06, "Diest": 0.12, "Aarschot": 0.10, "Temse": 0.10, "Zele": 0.10,
    "Hamme": 0.08, "Geraardsbergen": 0.12, "Eeklo": 0.12, "Wervik": 0.12, "Diepenbeek": 0.10,
    "As": 0.12, "Beersel": 0.12, "Ternat": 0.10, "Overijse": 0.09, "Brasschaat": 0.10,
    "Edegem": 0.10, "Kapellen": 0.09, "Wommelgem": 0.10, "Zwijndrecht": 0.12, "Schelle": 0.09,
    "Harelbeke": 0.10, "Wevelgem": 0.09, "Izegem": 0.10, "Waregem": 0.10, "Evergem": 0.10,
    "Wetteren": 0.09, "Blankenberge": 0.12, "Ieper": 0.08,
    # Regio Oostende: without Oostende the six others must still be able to pool 7,500
    "Bredene": 0.155, "Middelkerke": 0.10, "De Haan": 0.08, "Gistel": 0.08, "Ichtegem": 0.06,
    "Oudenburg": 0.06,
    # Rivierenland: demo of a pooled dossier of three (Willebroek is an edge case below)
    "Puurs-Sint-Amands": 0.08, "Bornem": 0.07,
}

# Deliberate 15 % edge cases, set by count: ceil(15 %) is just at/above 15 %, one less is
# just below. Mechelen (above 7,500) + Willebroek earns the incentive; + Lier does not.
EDGE_COUNTS = {
    "Willebroek": lambda pop: math.ceil(pop * INCENTIVE_SHARE),       # 15.00x %
    "Lier": lambda pop: math.ceil(pop * INCENTIVE_SHARE) - 1,         # 14.99x %
}

# The demo pooled dossier of three (requirement (c)); Willebroek leads.
DEMO_TRIO = ("Willebroek", "Puurs-Sint-Amands", "Bornem")
DEMO_TRIO_REGION = "Rivierenland"

# Share bands for everybody else, by population on 1 Jan 2020: (upper bound exclusive, lo, hi)
RANDOM_BANDS = [(10_000, 0.02, 0.06), (20_000, 0.03, 0.09), (40_000, 0.04, 0.11)]

TOP_UP_TARGET = 8_000     # pooling margin aimed for per reference region
TOP_UP_STEP = 0.01
TOP_UP_MAX_SHARE = 0.14


def read_csv(name):
    with open(os.path.join(SEEDS, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main():
    munis = read_csv("municipalities_2019_2024.csv")
    pops = {r["nis_code"]: int(r["population_2020_01_01"]) for r in read_csv("population.csv")}
    regions_rows = read_csv("reference_regions.csv")
    assert len(munis) == 300 and len(pops) == 300 and len(regions_rows) == 300

    by_name = defaultdict(list)
    for r in munis:
        by_name[r["name"]].append(r["nis_code"])
    name_of = {r["nis_code"]: r["name"] for r in munis}

    def nis(name):
        codes = by_name.get(name, [])
        assert len(codes) == 1, f"name {name!r} resolves to {codes}"
        return codes[0]

    rng = random.Random(SEED)
    share = {}
    explicit = set()
    codes = sorted(r["nis_code"] for r in munis)
    for code in codes:
        # always draw, so the stream does not depend on which names are overridden
        u = rng.random()
        pop = pops[code]
        band = next(((lo, hi) for ub, lo, hi in RANDOM_BANDS if pop < ub), None)
        if band is not None:
            lo, hi = band
            share[code] = round(lo + (hi - lo) * u, 4)
    for name, s in SHARES.items():
        share[nis(name)] = s
        explicit.add(nis(name))
    for code in codes:
        assert code in share, f"{name_of[code]} ({pops[code]}) has no share: large towns need an explicit one"

    def counts_from_shares():
        c = {code: round(pops[code] * share[code]) for code in codes}
        for name, f in EDGE_COUNTS.items():
            c[nis(name)] = f(pops[nis(name)])
        return c

    region_members = defaultdict(list)      # main columns (12-03-2021 / 04-02-2022 delimitation)
    region_members_2023 = defaultdict(list)  # *_2023 columns (Zwijndrecht -> Waasland)
    region_of = {}
    for r in regions_rows:
        region_members[r["region"]].append(r["nis_code"])
        region_members_2023[r["region_2023"]].append(r["nis_code"])
        region_of[r["nis_code"]] = r["region"]
    assert len(region_members) == 15

    # top-up pass for requirement (b), deterministic
    count = counts_from_shares()
    edge = {nis(n) for n in EDGE_COUNTS}
    for region in sorted(region_members):
        while True:
            small = [c for c in region_members[region] if count[c] <= THRESHOLD]
            if sum(count[c] for c in small) >= TOP_UP_TARGET:
                break
            candidates = sorted((c for c in small if c not in explicit and c not in edge
                                 and share[c] + TOP_UP_STEP <= TOP_UP_MAX_SHARE),
                                key=lambda c: (-pops[c], c))
            assert candidates, f"cannot top up {region}"
            c = candidates[0]
            share[c] = round(share[c] + TOP_UP_STEP, 4)
            explicit.add(c)  # next step takes the next-largest town
            count = counts_from_shares()
            print(f"top-up: {region}: {name_of[c]} share -> {share[c]:.4f}")

    # ---- write -------------------------------------------------------------------------
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["nis_code", "reference_year", "non_eu15_residents", "source"])
        for code in codes:
            w.writerow([code, REFERENCE_YEAR, count[code], SOURCE])

    # ---- checks ------------------------------------------------------------------------
    with open(OUT, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 300
    assert {r["nis_code"] for r in rows} == set(codes)
    assert all(r["reference_year"] == "2020" and r["source"] == SOURCE for r in rows)
    assert all(r["non_eu15_residents"].isdigit() for r in rows)
    for code in codes:
        assert 0 < count[code] < pops[code]

    ratio = {c: count[c] / pops[c] for c in codes}
    above = sorted((c for c in codes if count[c] > THRESHOLD), key=lambda c: -count[c])

    # (a) 25-40 municipalities strictly above 7,500, Antwerpen and Gent among them
    assert 25 <= len(above) <= 40, len(above)
    assert nis("Antwerpen") in above and nis("Gent") in above

    # (b) every reference region can pool: its members not above 7,500 reach >= 7,500
    #     (all counts are positive, so "some subset reaches it" == "all of them together do")
    pool = {}
    for region, members in region_members.items():
        small = [c for c in members if count[c] <= THRESHOLD]
        pool[region] = (len(small), sum(count[c] for c in small))
        assert pool[region][1] >= THRESHOLD, (region, pool[region])
    pool_2023 = {}
    for region, members in region_members_2023.items():
        small = [c for c in members if count[c] <= THRESHOLD]
        pool_2023[region] = sum(count[c] for c in small)
        assert pool_2023[region] >= THRESHOLD, (region, pool_2023[region])

    # (c) the demo trio: each not above 7,500, every pair below 7,500, all three >= 7,500
    trio = [nis(n) for n in DEMO_TRIO]
    assert all(region_of[c] == DEMO_TRIO_REGION for c in trio)
    assert all(count[c] < THRESHOLD for c in trio)
    for a, b in combinations(trio, 2):
        assert count[a] + count[b] < THRESHOLD, (name_of[a], name_of[b])
    assert sum(count[c] for c in trio) >= THRESHOLD

    # (d) at least one share in [0.1495, 0.1505]
    edge_rows = sorted(c for c in codes if 0.1495 <= ratio[c] <= 0.1505)
    assert edge_rows
    assert ratio[nis("Willebroek")] >= INCENTIVE_SHARE > ratio[nis("Lier")]

    # (e) Flemish total plausible: 12-18 % of the 2020 population
    total = sum(count.values())
    total_pop = sum(pops.values())
    assert 0.12 <= total / total_pop <= 0.18, total / total_pop

    # ---- summary -----------------------------------------------------------------------
    print(f"wrote {os.path.relpath(OUT, ROOT)}: {len(rows)} rows, reference_year {REFERENCE_YEAR}, FICTITIOUS")
    print(f"(a) municipalities strictly above {THRESHOLD}: {len(above)}")
    for c in above:
        print(f"      {c} {name_of[c]:<22} {count[c]:>7}  ({ratio[c]:.2%})  {region_of[c]}")
    print("(b) per reference region (main columns): members not above 7,500 -> their total")
    for region in sorted(pool, key=lambda r: pool[r][1]):
        n_small, s = pool[region]
        n_above = len(region_members[region]) - n_small
        print(f"      {region:<22} {n_small:>2} small, {n_above:>2} above, pooled total {s:>7}")
    print("    (also checked with the *_2023 columns: min pooled total "
          f"{min(pool_2023.values())} in {min(pool_2023, key=pool_2023.get)})")
    print(f"(c) demo pooled trio in {DEMO_TRIO_REGION}:")
    for c in trio:
        print(f"      {c} {name_of[c]:<18} {count[c]:>6}  ({ratio[c]:.2%})")
    pairs = ", ".join(f"{name_of[a]}+{name_of[b]}={count[a] + count[b]}" for a, b in combinations(trio, 2))
    print(f"      pairs: {pairs}; all three = {sum(count[c] for c in trio)}")
    print("(d) shares in [14.95 %, 15.05 %]:")
    for c in edge_rows:
        print(f"      {c} {name_of[c]:<18} {count[c]:>6} / {pops[c]:>6} = {ratio[c]:.4%}  ({region_of[c]})")
    print(f"(e) Flemish total: {total} of {total_pop} = {total / total_pop:.2%}")


if __name__ == "__main__":
    main()
