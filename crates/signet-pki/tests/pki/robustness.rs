//! Hostile input: the responders answer every byte string with a protocol error, never a panic;
//! serials and reasons parse strictly.

use signet_pki::{parse_serial, Ca, KeyAlg, PkiError, Reason};
use signet_testkit::SplitMix64 as Rng;
use time::OffsetDateTime;

/// The OCSP status byte of a response that carries no body: `30 03 0a 01 <status>`.
fn ocsp_status(resp: &[u8]) -> u8 {
    assert_eq!(&resp[..4], &[0x30, 0x03, 0x0a, 0x01], "{resp:02x?}");
    resp[4]
}

/// `TimeStampResp { PKIStatusInfo { rejection (2), failInfo } }` and nothing else.
fn rejected(resp: &[u8]) -> bool {
    resp.len() < 16 && resp[0] == 0x30 && resp[2] == 0x30 && resp[4..7] == [0x02, 0x01, 0x02]
}

#[test]
fn random_and_truncated_input_gets_protocol_errors() {
    use rand_core::RngCore;
    let now = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
    let mut rng = Rng(7);
    let (ca, _, _) = Ca::init(
        "Fuzz CA",
        "http://x.invalid",
        KeyAlg::EcdsaP256,
        now,
        &mut rng,
    )
    .unwrap();
    // A well-formed time-stamp request (SHA-256, nonce, certReq), then every prefix of it and
    // a few thousand random strings, some starting with a SEQUENCE tag.
    let good_tsq: Vec<u8> = [
        &[
            0x30, 0x37, 0x02, 0x01, 0x01, 0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
            0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20,
        ][..],
        &[0xab; 32],
        &[0x02, 0x01, 0x05],
    ]
    .concat();
    let ok = ca.timestamp(&good_tsq, 1, now);
    assert_eq!(
        &ok[4..9],
        &[0x30, 0x03, 0x02, 0x01, 0x00],
        "granted: {ok:02x?}"
    );
    for cut in 0..good_tsq.len() {
        let r = ca.timestamp(&good_tsq[..cut], 1, now);
        assert!(rejected(&r), "rejection for prefix {cut}");
        assert_eq!(
            ocsp_status(&ca.respond(&good_tsq[..cut], ca.revocations(), now)),
            1
        );
    }
    for i in 0..3000 {
        let len = (rng.next_u32() % 300) as usize;
        let mut b = vec![0u8; len];
        rng.fill_bytes(&mut b);
        if i % 2 == 0 && !b.is_empty() {
            b[0] = 0x30;
        }
        let r = ca.respond(&b, ca.revocations(), now);
        assert!(matches!(ocsp_status(&r), 1 | 6), "{b:02x?}");
        let t = ca.timestamp(&b, 1, now);
        assert!(rejected(&t), "{b:02x?}");
    }
}

#[test]
fn serials_and_reasons_parse_strictly() {
    assert_eq!(parse_serial("0x00AB:cd").unwrap(), "abcd");
    assert_eq!(parse_serial("4A0B").unwrap(), "4a0b");
    assert_eq!(parse_serial("abc").unwrap(), "0abc");
    for bad in ["", "xyz", "12 34", "0x"] {
        assert!(
            matches!(parse_serial(bad), Err(PkiError::UnknownSerial(_))),
            "{bad}"
        );
    }
    assert_eq!(Reason::parse("KeyCompromise"), Some(Reason::KeyCompromise));
    assert_eq!(Reason::parse("certificateHold"), None);
    for (r, name) in Reason::ALL {
        assert_eq!(Reason::parse(name), Some(r));
        assert_eq!(r.name(), name);
    }
}
