//! Geohash math behind the GEO commands, with Redis 7.0's exact numerics
//! (a geo set is a sorted set whose scores are 52-bit interleaved hashes).
//!
//! - positions are encoded on the Web Mercator ranges: longitude -180..180,
//!   latitude -85.05112878..85.05112878, 26 bits each, latitude bits in the
//!   even positions and longitude bits in the odd ones;
//! - distances are haversine on a sphere of radius 6372797.560856 m;
//! - a search covers the box holding the centre plus its eight neighbours,
//!   at the coarsest step that still covers the searched shape.
//!
//! Every function here is pure and total: garbage scores (a zset member
//! that was not added by GEOADD) decode to some position, never panic.

/// Earth's radius in meters, as Redis uses it.
pub const EARTH_RADIUS_M: f64 = 6_372_797.560_856;
/// Longitude limits.
pub const LONG_MIN: f64 = -180.0;
/// Longitude limits.
pub const LONG_MAX: f64 = 180.0;
/// Latitude limits of the Web Mercator projection.
pub const LAT_MIN: f64 = -85.051_128_78;
/// Latitude limits of the Web Mercator projection.
pub const LAT_MAX: f64 = 85.051_128_78;
/// Bits per coordinate of a stored hash.
pub const STEP_MAX: u8 = 26;
/// Half the Mercator world's width in meters (step estimation).
const MERCATOR_MAX: f64 = 20_037_726.37;
/// Degrees to radians, computed once as C does (`M_PI / 180.0`).
const D_R: f64 = std::f64::consts::PI / 180.0;

/// A hash of `step` bits per coordinate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bits {
    /// The interleaved bits (latitude even, longitude odd).
    pub bits: u64,
    /// Bits per coordinate.
    pub step: u8,
}

impl Bits {
    /// Redis's `HASHISZERO`: a neighbour excluded from the search.
    pub fn is_zero(self) -> bool {
        self.bits == 0 && self.step == 0
    }

    /// The hash shifted to 52 bits (`geohashAlign52Bits`): the score range
    /// start of the box.
    pub fn align52(self) -> u64 {
        let shift = 52u32.saturating_sub(u32::from(self.step) * 2);
        self.bits.checked_shl(shift).unwrap_or(0)
    }
}

/// A coordinate range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
}

/// The Mercator ranges every stored hash uses.
pub const LONG_RANGE: Range = Range {
    min: LONG_MIN,
    max: LONG_MAX,
};
/// The Mercator ranges every stored hash uses.
pub const LAT_RANGE: Range = Range {
    min: LAT_MIN,
    max: LAT_MAX,
};
/// The standard geohash latitude range (GEOHASH's strings).
pub const STD_LAT_RANGE: Range = Range {
    min: -90.0,
    max: 90.0,
};

/// A decoded box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// Longitude span.
    pub longitude: Range,
    /// Latitude span.
    pub latitude: Range,
}

/// Degrees to radians as Redis computes them.
pub fn deg_rad(d: f64) -> f64 {
    d * D_R
}

/// Radians to degrees as Redis computes them.
pub fn rad_deg(r: f64) -> f64 {
    r / D_R
}

/// Spread the low 32 bits of `v` to the even bit positions.
fn spread(v: u32) -> u64 {
    let mut x = u64::from(v);
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    (x | (x << 1)) & 0x5555_5555_5555_5555
}

/// Gather the even bit positions of `x` into 32 bits.
fn squash(x: u64) -> u32 {
    let mut x = x & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF;
    x as u32
}

/// Interleave: `lat` in the even bits, `lon` in the odd bits.
pub fn interleave(lat: u32, lon: u32) -> u64 {
    spread(lat) | (spread(lon) << 1)
}

/// Undo [`interleave`]: `(lat, lon)`.
pub fn deinterleave(bits: u64) -> (u32, u32) {
    (squash(bits), squash(bits >> 1))
}

/// C's conversion of a non-negative offset to `uint32_t` (truncation).
fn to_u32(v: f64) -> u32 {
    v as u32
}

/// Encode a position on the given ranges with `step` bits per coordinate
/// (`geohashEncode`); `None` outside the Mercator limits or the ranges.
pub fn encode(lon_r: Range, lat_r: Range, lon: f64, lat: f64, step: u8) -> Option<Bits> {
    if step == 0 || step > 32 {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return None;
    }
    if lat < lat_r.min || lat > lat_r.max || lon < lon_r.min || lon > lon_r.max {
        return None;
    }
    let scale = (1u64 << step) as f64;
    let lat_off = (lat - lat_r.min) / (lat_r.max - lat_r.min) * scale;
    let lon_off = (lon - lon_r.min) / (lon_r.max - lon_r.min) * scale;
    Some(Bits {
        bits: interleave(to_u32(lat_off), to_u32(lon_off)),
        step,
    })
}

/// Encode on the Mercator ranges (`geohashEncodeWGS84`).
pub fn encode_wgs84(lon: f64, lat: f64, step: u8) -> Option<Bits> {
    encode(LONG_RANGE, LAT_RANGE, lon, lat, step)
}

/// The 52-bit score GEOADD stores for a valid position.
pub fn score_of(lon: f64, lat: f64) -> Option<u64> {
    encode_wgs84(lon, lat, STEP_MAX).map(Bits::align52)
}

/// The box a hash stands for (`geohashDecode`); `None` for a zero hash.
pub fn decode(lon_r: Range, lat_r: Range, hash: Bits) -> Option<Area> {
    if hash.is_zero() || hash.step > 32 {
        return None;
    }
    let (ilat, ilon) = deinterleave(hash.bits);
    let div = (1u64 << hash.step) as f64;
    let lat_scale = lat_r.max - lat_r.min;
    let lon_scale = lon_r.max - lon_r.min;
    Some(Area {
        latitude: Range {
            min: lat_r.min + (f64::from(ilat) / div) * lat_scale,
            max: lat_r.min + (f64::from(ilat.wrapping_add(1)) / div) * lat_scale,
        },
        longitude: Range {
            min: lon_r.min + (f64::from(ilon) / div) * lon_scale,
            max: lon_r.min + (f64::from(ilon.wrapping_add(1)) / div) * lon_scale,
        },
    })
}

/// The centre of a box, clamped to the Mercator limits: `(lon, lat)`.
pub fn area_center(a: &Area) -> (f64, f64) {
    let lon = ((a.longitude.min + a.longitude.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let lat = ((a.latitude.min + a.latitude.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (lon, lat)
}

/// C's conversion of a zset score to `uint64_t` on x86-64 (what Redis's
/// `(GeoHashFix52Bits)score` does for any double a client may have stored).
pub fn score_bits(score: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if score.is_nan() {
        0
    } else if score >= TWO_63 {
        // gcc converts via (score - 2^63) with the top bit flipped back:
        // out of range (2^64 and up) that flips the overflow marker to 0.
        if score < 2.0 * TWO_63 {
            score as u64
        } else {
            0
        }
    } else if score < -TWO_63 {
        0x8000_0000_0000_0000
    } else {
        (score as i64) as u64
    }
}

/// The position a stored score stands for (`decodeGeohash`): `(lon, lat)`.
pub fn decode_score(score: f64) -> (f64, f64) {
    let hash = Bits {
        bits: score_bits(score),
        step: STEP_MAX,
    };
    match decode(LONG_RANGE, LAT_RANGE, hash) {
        Some(a) => area_center(&a),
        None => (0.0, 0.0),
    }
}

/// GEOHASH's 11-character standard geohash of a stored score: the
/// position re-encoded on the standard -90..90 latitude range.
pub fn geohash_string(score: f64) -> [u8; 11] {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (lon, lat) = decode_score(score);
    let bits = encode(LONG_RANGE, STD_LAT_RANGE, lon, lat, STEP_MAX).map_or(0, |b| b.bits);
    let mut out = [b'0'; 11];
    for (i, c) in out.iter_mut().enumerate().take(10) {
        let idx = (bits >> (52 - (i + 1) * 5)) & 0x1f;
        *c = ALPHABET[idx as usize];
    }
    out
}

/// Distance along a meridian between two latitudes.
pub fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_M * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Haversine distance in meters (`geohashGetDistance`), with Redis's
/// shortcut for equal longitudes.
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let lon1r = deg_rad(lon1);
    let lon2r = deg_rad(lon2);
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let lat1r = deg_rad(lat1);
    let lat2r = deg_rad(lat2);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

/// The shape searched, sizes in the unit given (converted by `to_meters`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// BYRADIUS radius.
    Radius(f64),
    /// BYBOX width height.
    Box(f64, f64),
}

/// A search: centre, shape and unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Search {
    /// Centre longitude.
    pub lon: f64,
    /// Centre latitude.
    pub lat: f64,
    /// The shape, in the unit of `to_meters`.
    pub shape: Shape,
    /// Meters per unit.
    pub to_meters: f64,
}

impl Search {
    /// The distance of `(lon, lat)` from the centre if it lies within the
    /// shape (`geoWithinShape`), in meters.
    pub fn within(&self, lon: f64, lat: f64) -> Option<f64> {
        match self.shape {
            Shape::Radius(r) => {
                let d = distance(self.lon, self.lat, lon, lat);
                (d <= r * self.to_meters).then_some(d)
            }
            Shape::Box(w, h) => {
                let (w, h) = (w * self.to_meters, h * self.to_meters);
                if lat_distance(lat, self.lat) > h / 2.0 {
                    return None;
                }
                if distance(lon, lat, self.lon, lat) > w / 2.0 {
                    return None;
                }
                Some(distance(self.lon, self.lat, lon, lat))
            }
        }
    }

    /// `geohashBoundingBox`: `[min_lon, min_lat, max_lon, max_lat]`.
    fn bounding_box(&self) -> [f64; 4] {
        let (h, w) = match self.shape {
            Shape::Radius(r) => (r, r),
            Shape::Box(w, h) => (h / 2.0, w / 2.0),
        };
        let (h, w) = (h * self.to_meters, w * self.to_meters);
        let lat_delta = rad_deg(h / EARTH_RADIUS_M);
        let lon_delta_top = rad_deg(w / EARTH_RADIUS_M / deg_rad(self.lat + lat_delta).cos());
        let lon_delta_bottom = rad_deg(w / EARTH_RADIUS_M / deg_rad(self.lat - lat_delta).cos());
        let delta = if self.lat < 0.0 {
            lon_delta_bottom
        } else {
            lon_delta_top
        };
        [
            self.lon - delta,
            self.lat - lat_delta,
            self.lon + delta,
            self.lat + lat_delta,
        ]
    }

    /// The boxes to scan, in Redis's order (centre, N, S, E, W, NE, NW, SE,
    /// SW), with useless neighbours zeroed (`geohashCalculateAreasByShapeWGS84`).
    pub fn areas(&self) -> [Bits; 9] {
        let b = self.bounding_box();
        let (min_lon, min_lat, max_lon, max_lat) = (b[0], b[1], b[2], b[3]);
        let radius_m = match self.shape {
            Shape::Radius(r) => r,
            Shape::Box(w, h) => ((w / 2.0) * (w / 2.0) + (h / 2.0) * (h / 2.0)).sqrt(),
        } * self.to_meters;
        let mut steps = estimate_steps(radius_m, self.lat);
        let mut hash = encode_wgs84(self.lon, self.lat, steps).unwrap_or_default();
        let mut n = neighbors(hash);
        let dec = |h: Bits| decode(LONG_RANGE, LAT_RANGE, h);
        let too_coarse = {
            let north = dec(n[1]).is_some_and(|a| a.latitude.max < max_lat);
            let south = dec(n[2]).is_some_and(|a| a.latitude.min > min_lat);
            let east = dec(n[3]).is_some_and(|a| a.longitude.max < max_lon);
            let west = dec(n[4]).is_some_and(|a| a.longitude.min > min_lon);
            north || south || east || west
        };
        if steps > 1 && too_coarse {
            steps -= 1;
            hash = encode_wgs84(self.lon, self.lat, steps).unwrap_or_default();
            n = neighbors(hash);
        }
        if steps >= 2 {
            if let Some(area) = dec(hash) {
                let zero = Bits::default();
                if area.latitude.min < min_lat {
                    n[2] = zero; // south
                    n[8] = zero; // south west
                    n[7] = zero; // south east
                }
                if area.latitude.max > max_lat {
                    n[1] = zero;
                    n[5] = zero;
                    n[6] = zero;
                }
                if area.longitude.min < min_lon {
                    n[4] = zero;
                    n[8] = zero;
                    n[6] = zero;
                }
                if area.longitude.max > max_lon {
                    n[3] = zero;
                    n[7] = zero;
                    n[5] = zero;
                }
            }
        }
        n
    }
}

/// The coarsest step whose boxes still cover `range_m` around latitude
/// `lat` (`geohashEstimateStepsByRadius`).
pub fn estimate_steps(range_m: f64, lat: f64) -> u8 {
    if range_m == 0.0 {
        return STEP_MAX;
    }
    let mut range = range_m;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, i32::from(STEP_MAX)) as u8
}

/// Move a hash `d` boxes east (`d` = 1) or west (-1).
fn move_x(h: Bits, d: i8) -> Bits {
    let shift = 64 - u32::from(h.step) * 2;
    let x = h.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let y = h.bits & 0x5555_5555_5555_5555;
    let zz = 0x5555_5555_5555_5555u64.checked_shr(shift).unwrap_or(0);
    let x = if d > 0 {
        x.wrapping_add(zz.wrapping_add(1))
    } else {
        (x | zz).wrapping_sub(zz.wrapping_add(1))
    };
    let x = x & 0xaaaa_aaaa_aaaa_aaaau64.checked_shr(shift).unwrap_or(0);
    Bits {
        bits: x | y,
        step: h.step,
    }
}

/// Move a hash `d` boxes north (`d` = 1) or south (-1).
fn move_y(h: Bits, d: i8) -> Bits {
    let shift = 64 - u32::from(h.step) * 2;
    let x = h.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let y = h.bits & 0x5555_5555_5555_5555;
    let zz = 0xaaaa_aaaa_aaaa_aaaau64.checked_shr(shift).unwrap_or(0);
    let y = if d > 0 {
        y.wrapping_add(zz.wrapping_add(1))
    } else {
        (y | zz).wrapping_sub(zz.wrapping_add(1))
    };
    let y = y & 0x5555_5555_5555_5555u64.checked_shr(shift).unwrap_or(0);
    Bits {
        bits: x | y,
        step: h.step,
    }
}

/// The box and its eight neighbours in Redis's scan order: centre, N, S,
/// E, W, NE, NW, SE, SW.
pub fn neighbors(h: Bits) -> [Bits; 9] {
    if h.step == 0 || h.step > 32 {
        return [h; 9];
    }
    [
        h,
        move_y(h, 1),
        move_y(h, -1),
        move_x(h, 1),
        move_x(h, -1),
        move_y(move_x(h, 1), 1),
        move_y(move_x(h, -1), 1),
        move_y(move_x(h, 1), -1),
        move_y(move_x(h, -1), -1),
    ]
}

/// The score range `[min, max)` of a box's members (`scoresOfGeoHashBox`).
pub fn score_range(h: Bits) -> (f64, f64) {
    let min = h.align52();
    let max = Bits {
        bits: h.bits.wrapping_add(1),
        step: h.step,
    }
    .align52();
    (min as f64, max as f64)
}

/// A distance in the reply unit, as Redis prints it: four decimals.
pub fn format_distance(d: f64) -> String {
    format!("{d:.4}")
}

/// A coordinate as Redis's `addReplyHumanLongDouble` prints it: the
/// double's exact value to 17 decimals, trailing zeros (and a bare dot)
/// trimmed.
pub fn format_coord(d: f64) -> String {
    let mut s = format!("{d:.17}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_string();
    }
    s
}

#[cfg(test)]
mod tests;
