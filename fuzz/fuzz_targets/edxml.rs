//! The edXML packet reader (QCVN 102): XML, namespaces, attachments, the XML signature.
//! The body is `signet_fuzz::targets::edxml`, which the stable runner calls too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = signet_fuzz::targets::edxml(data);
});
