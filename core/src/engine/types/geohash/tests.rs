//! Geohash math against vectors recorded from redis-server 7.0.15
//! (`core/tests/data/record/geo_vectors.py`, `geo_garbage.py`).

use super::*;

fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').collect())
}

/// GEOADD's score, GEOHASH's string, GEOPOS's text and GEODIST in every
/// unit, for 400 random positions (edges included).
#[test]
fn matches_recorded_vectors() {
    let mut prev: Option<(f64, f64)> = None;
    let mut n = 0;
    for r in rows(include_str!(
        "../../../../tests/data/geo_vectors_redis7.tsv"
    )) {
        let lon: f64 = r[0].parse().unwrap();
        let lat: f64 = r[1].parse().unwrap();
        let score = score_of(lon, lat).expect("valid position");
        // The zset keeps the score as a double (2^53 and up round).
        let want: f64 = r[2].parse().unwrap();
        assert_eq!(score as f64, want, "score of {lon},{lat}");
        let gh = geohash_string(score as f64);
        assert_eq!(
            std::str::from_utf8(&gh).unwrap(),
            r[3],
            "geohash of {lon},{lat}"
        );
        let (plon, plat) = decode_score(score as f64);
        assert_eq!(format_coord(plon), r[4], "geopos lon of {lon},{lat}");
        assert_eq!(format_coord(plat), r[5], "geopos lat of {lon},{lat}");
        if let Some((qlon, qlat)) = prev {
            let d = distance(qlon, qlat, plon, plat);
            for (unit, want) in [1.0, 1000.0, 0.3048, 1609.34].iter().zip(&r[6..10]) {
                assert_eq!(format_distance(d / unit), *want, "distance to {lon},{lat}");
            }
        }
        prev = Some((plon, plat));
        n += 1;
    }
    assert_eq!(n, 400);
}

/// Scores GEOADD never writes (ZADD'ed by hand) decode as Redis decodes them.
#[test]
fn decodes_foreign_scores_as_redis() {
    for r in rows(include_str!(
        "../../../../tests/data/geo_garbage_redis7.tsv"
    )) {
        let score: f64 = r[0].parse().unwrap();
        assert_eq!(
            std::str::from_utf8(&geohash_string(score)).unwrap(),
            r[1],
            "{score}"
        );
        let (lon, lat) = decode_score(score);
        assert_eq!(format_coord(lon), r[2], "{score}");
        assert_eq!(format_coord(lat), r[3], "{score}");
    }
}

#[test]
fn interleave_round_trips() {
    for (a, b) in [
        (0u32, 0u32),
        (1, 0),
        (0, 1),
        (u32::MAX, 0),
        (0x1234_5678, 0x9abc_def0),
    ] {
        assert_eq!(deinterleave(interleave(a, b)), (a, b));
    }
    assert_eq!(interleave(1, 0), 1);
    assert_eq!(interleave(0, 1), 2);
}

#[test]
fn rejects_positions_outside_mercator() {
    assert!(score_of(180.0001, 0.0).is_none());
    assert!(score_of(0.0, 85.06).is_none());
    assert!(score_of(0.0, -85.06).is_none());
    assert!(score_of(-180.0, -85.051_128_78).is_some());
}

#[test]
fn neighbours_are_adjacent_boxes() {
    let h = encode_wgs84(13.361389, 38.115556, 10).unwrap();
    let n = neighbors(h);
    let c = decode(LONG_RANGE, LAT_RANGE, h).unwrap();
    let north = decode(LONG_RANGE, LAT_RANGE, n[1]).unwrap();
    let east = decode(LONG_RANGE, LAT_RANGE, n[3]).unwrap();
    let sw = decode(LONG_RANGE, LAT_RANGE, n[8]).unwrap();
    assert!((north.latitude.min - c.latitude.max).abs() < 1e-9);
    assert!((east.longitude.min - c.longitude.max).abs() < 1e-9);
    assert!((sw.latitude.max - c.latitude.min).abs() < 1e-9);
    assert!((sw.longitude.max - c.longitude.min).abs() < 1e-9);
}

#[test]
fn step_estimation_matches_redis_rules() {
    assert_eq!(estimate_steps(0.0, 0.0), 26);
    assert_eq!(estimate_steps(1.0, 0.0), 24);
    assert_eq!(estimate_steps(200_000.0, 0.0), 6);
    assert_eq!(estimate_steps(200_000.0, 70.0), 5);
    assert_eq!(estimate_steps(200_000.0, -81.0), 4);
    assert_eq!(estimate_steps(1e9, 0.0), 1);
}

/// A search never panics on extreme inputs.
#[test]
fn extreme_searches_are_total() {
    for (lon, lat) in [(180.0, 85.051_128_78), (-180.0, -85.051_128_78), (0.0, 0.0)] {
        for shape in [
            Shape::Radius(0.0),
            Shape::Radius(1e300),
            Shape::Box(0.0, 1e20),
            Shape::Box(f64::MAX, 1.0),
        ] {
            let s = Search {
                lon,
                lat,
                shape,
                to_meters: 1609.34,
            };
            for b in s.areas() {
                let _ = score_range(b);
            }
            let _ = s.within(lon, lat);
        }
    }
}
