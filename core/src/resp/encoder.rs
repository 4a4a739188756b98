//! Render a [`Reply`] as RESP2 or RESP3 bytes.

use bytes::BufMut;

use super::reply::{Protocol, Reply};
use crate::util::num::format_double;

fn put_line_header(out: &mut impl BufMut, prefix: u8, n: i64) {
    let mut buf = itoa::Buffer::new();
    out.put_u8(prefix);
    out.put_slice(buf.format(n).as_bytes());
    out.put_slice(b"\r\n");
}

/// Write `text` replacing CR and LF by spaces, so a status or error can never
/// break the framing.
fn put_sanitized(out: &mut impl BufMut, text: &str) {
    let bytes = text.as_bytes();
    if !bytes.iter().any(|&b| b == b'\r' || b == b'\n') {
        out.put_slice(bytes);
        return;
    }
    for &b in bytes {
        out.put_u8(if b == b'\r' || b == b'\n' { b' ' } else { b });
    }
}

/// Write a bulk string.
pub fn put_bulk(out: &mut impl BufMut, data: &[u8]) {
    put_line_header(out, b'$', data.len() as i64);
    out.put_slice(data);
    out.put_slice(b"\r\n");
}

/// Append the encoding of `reply` for `proto` to `out`.
pub fn encode(reply: &Reply, proto: Protocol, out: &mut impl BufMut) {
    let v3 = proto == Protocol::Resp3;
    match reply {
        Reply::Status(s) => {
            out.put_u8(b'+');
            put_sanitized(out, s);
            out.put_slice(b"\r\n");
        }
        Reply::Error(s) => {
            out.put_u8(b'-');
            put_sanitized(out, s);
            out.put_slice(b"\r\n");
        }
        Reply::Integer(n) => put_line_header(out, b':', *n),
        Reply::Bulk(b) => put_bulk(out, b),
        Reply::Nil => out.put_slice(if v3 { b"_\r\n" } else { b"$-1\r\n" }),
        Reply::NilArray => out.put_slice(if v3 { b"_\r\n" } else { b"*-1\r\n" }),
        Reply::Array(items) => {
            put_line_header(out, b'*', items.len() as i64);
            for r in items {
                encode(r, proto, out);
            }
        }
        Reply::Map(pairs) => {
            if v3 {
                put_line_header(out, b'%', pairs.len() as i64);
            } else {
                put_line_header(out, b'*', 2 * pairs.len() as i64);
            }
            for (k, v) in pairs {
                encode(k, proto, out);
                encode(v, proto, out);
            }
        }
        Reply::Set(items) => {
            put_line_header(out, if v3 { b'~' } else { b'*' }, items.len() as i64);
            for r in items {
                encode(r, proto, out);
            }
        }
        Reply::Push(items) => {
            put_line_header(out, if v3 { b'>' } else { b'*' }, items.len() as i64);
            for r in items {
                encode(r, proto, out);
            }
        }
        Reply::Double(d) => {
            let s = format_double(*d);
            if v3 {
                out.put_u8(b',');
                out.put_slice(s.as_bytes());
                out.put_slice(b"\r\n");
            } else {
                put_bulk(out, s.as_bytes());
            }
        }
        Reply::DoubleText(s) => {
            if v3 {
                out.put_u8(b',');
                put_sanitized(out, s);
                out.put_slice(b"\r\n");
            } else {
                put_bulk(out, s.as_bytes());
            }
        }
        Reply::Bool(b) => {
            if v3 {
                out.put_slice(if *b { b"#t\r\n" } else { b"#f\r\n" });
            } else {
                out.put_slice(if *b { b":1\r\n" } else { b":0\r\n" });
            }
        }
        Reply::Verbatim { format, text } => {
            if v3 {
                put_line_header(out, b'=', text.len() as i64 + 4);
                out.put_slice(format);
                out.put_u8(b':');
                out.put_slice(text);
                out.put_slice(b"\r\n");
            } else {
                put_bulk(out, text);
            }
        }
        Reply::BigNumber(s) => {
            if v3 {
                out.put_u8(b'(');
                out.put_slice(s.as_bytes());
                out.put_slice(b"\r\n");
            } else {
                put_bulk(out, s.as_bytes());
            }
        }
    }
}

/// Encode to a fresh vector (tests, tools).
pub fn encode_to_vec(reply: &Reply, proto: Protocol) -> Vec<u8> {
    let mut v = Vec::new();
    encode(reply, proto, &mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn resp2_and_resp3() {
        let r = Reply::Map(vec![(Reply::bulk("a"), Reply::Integer(-1))]);
        assert_eq!(
            encode_to_vec(&r, Protocol::Resp2),
            b"*2\r\n$1\r\na\r\n:-1\r\n"
        );
        assert_eq!(
            encode_to_vec(&r, Protocol::Resp3),
            b"%1\r\n$1\r\na\r\n:-1\r\n"
        );
        assert_eq!(encode_to_vec(&Reply::Nil, Protocol::Resp2), b"$-1\r\n");
        assert_eq!(encode_to_vec(&Reply::NilArray, Protocol::Resp3), b"_\r\n");
        assert_eq!(
            encode_to_vec(&Reply::Double(1.5), Protocol::Resp2),
            b"$3\r\n1.5\r\n"
        );
        assert_eq!(
            encode_to_vec(&Reply::Double(f64::INFINITY), Protocol::Resp3),
            b",inf\r\n"
        );
        assert_eq!(
            encode_to_vec(&Reply::Integer(i64::MIN), Protocol::Resp2),
            b":-9223372036854775808\r\n"
        );
        assert_eq!(
            encode_to_vec(
                &Reply::Verbatim {
                    format: *b"txt",
                    text: Bytes::from_static(b"hi")
                },
                Protocol::Resp3
            ),
            b"=6\r\ntxt:hi\r\n"
        );
    }

    #[test]
    fn preformatted_doubles() {
        let r = Reply::DoubleText("13.36138933897018433".into());
        assert_eq!(
            encode_to_vec(&r, Protocol::Resp3),
            b",13.36138933897018433\r\n"
        );
        assert_eq!(
            encode_to_vec(&r, Protocol::Resp2),
            b"$20\r\n13.36138933897018433\r\n"
        );
    }

    #[test]
    fn errors_are_sanitized() {
        assert_eq!(
            encode_to_vec(&Reply::err("a\r\nb"), Protocol::Resp2),
            b"-ERR a  b\r\n"
        );
    }
}
