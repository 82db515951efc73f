//! `unsafe fn`, `extern "C" fn`, visibility and attributes on the function are kept.
#![allow(unsafe_code)]

#[signalry::traced]
unsafe fn read(pointer: *const u32) -> u32 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *pointer }
}

#[signalry::traced]
extern "C" fn callback(value: i32) -> i32 {
    value * 2
}

#[signalry::traced(ret)]
unsafe extern "C" fn unsafe_callback(pointer: *const i32) -> i32 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *pointer }
}

#[signalry::traced(err)]
unsafe fn checked(value: i32) -> Result<i32, String> {
    if value < 0 {
        return Err("negative".to_owned());
    }
    Ok(value)
}

#[signalry::traced]
#[no_mangle]
pub extern "C" fn signalry_exported(value: u64) -> u64 {
    value
}

/// Documented, inlined and `#[must_use]`: attributes stay on the function.
#[inline]
#[must_use]
#[signalry::traced]
pub(crate) fn attributed(value: u8) -> u8 {
    value
}

#[signalry::traced]
async unsafe fn async_unsafe(pointer: *const u8) -> u8 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *pointer }
}

fn main() {
    let value = 5_u32;
    // SAFETY: `value` lives for the call.
    let _ = unsafe { read(&value) };
    let _ = callback(1);
    let signed = -1_i32;
    // SAFETY: `signed` lives for the call.
    let _ = unsafe { unsafe_callback(&signed) };
    // SAFETY: no preconditions beyond the signature.
    let _ = unsafe { checked(-1) };
    let _ = signalry_exported(1);
    let _ = attributed(2);
    let byte = 1_u8;
    // SAFETY: the future is never polled.
    drop(unsafe { async_unsafe(&byte) });
    let pointer: extern "C" fn(i32) -> i32 = callback;
    let _ = pointer(3);
}
