//! Turning Rust values into OpenTelemetry attribute values, decided at compile time.
//!
//! The macros do not know the types of the values they record (an argument's type is only
//! syntax to them), so the choice is left to method resolution: [`Native`] is implemented for
//! [`Recorded`] of every type that maps onto an OpenTelemetry value, and [`NotNative`] for
//! `&Recorded` of every type. A call written as `(&Recorded(&value)).value()` finds
//! `Native` first when it applies (no auto-reference needed) and falls back to `NotNative`,
//! which records nothing. Either way the choice is made by the compiler: nothing is tested at
//! run time, and a value that is not recorded costs nothing.
//!
//! In generic code the choice is made once, for the generic type, so an argument of type `T`
//! is never recorded natively; name it in `fields(?arg)` to record its `Debug` text.

use std::borrow::Cow;
use std::fmt::{Debug, Display};

use opentelemetry::{StringValue, Value};

/// A borrowed value to be recorded as an attribute.
#[derive(Debug)]
pub struct Recorded<'a, T: ?Sized>(pub &'a T);

/// Implemented for `Recorded<T>` when `T` has a native OpenTelemetry representation.
pub trait Native {
    /// The attribute value, or `None` to leave the attribute out (`Option::None`).
    fn value(&self) -> Option<Value>;
}

/// The fallback: records nothing.
pub trait NotNative {
    /// Always `None`.
    fn value(&self) -> Option<Value> {
        None
    }
}

impl<T: ?Sized> NotNative for &Recorded<'_, T> {}

/// Every type with a native attribute value implements [`FieldValue`]; `Recorded` of it is
/// therefore [`Native`].
impl<T: FieldValue + ?Sized> Native for Recorded<'_, T> {
    #[inline]
    fn value(&self) -> Option<Value> {
        self.0.field_value()
    }
}

/// A value with a native OpenTelemetry representation: what `fields(key = expr)` accepts and
/// what arguments are recorded as.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an OpenTelemetry attribute value",
    label = "not a native attribute value",
    note = "write `key = %expr` to record its Display text or `key = ?expr` for its Debug text"
)]
pub trait FieldValue {
    /// The attribute value, or `None` to leave it out (`Option::None`).
    fn field_value(&self) -> Option<Value>;
}

/// A value that is always present and native: what a metric attribute accepts (an `Option`
/// would make the attribute set, and so the time series, depend on the value).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a metric attribute value",
    label = "not a native attribute value",
    note = "metric attributes take integers, floats, bools and strings; write `key = %expr` \
            for the Display text or `key = ?expr` for the Debug text"
)]
pub trait AttributeValue {
    /// The attribute value.
    fn attribute_value(&self) -> Value;
}

macro_rules! field_value {
    ($($ty:ty => |$v:ident| $conv:expr),* $(,)?) => {
        $(impl AttributeValue for $ty {
            #[inline]
            fn attribute_value(&self) -> Value {
                let $v = self;
                $conv
            }
        }
        impl FieldValue for $ty {
            #[inline]
            fn field_value(&self) -> Option<Value> {
                Some(self.attribute_value())
            }
        })*
    };
}

field_value! {
    bool => |v| Value::Bool(*v),
    i8 => |v| Value::I64(i64::from(*v)),
    i16 => |v| Value::I64(i64::from(*v)),
    i32 => |v| Value::I64(i64::from(*v)),
    i64 => |v| Value::I64(*v),
    u8 => |v| Value::I64(i64::from(*v)),
    u16 => |v| Value::I64(i64::from(*v)),
    u32 => |v| Value::I64(i64::from(*v)),
    u64 => |v| unsigned(*v),
    usize => |v| unsigned(*v as u64),
    isize => |v| Value::I64(*v as i64),
    f32 => |v| Value::F64(f64::from(*v)),
    f64 => |v| Value::F64(*v),
    str => |v| Value::String(StringValue::from(v.to_owned())),
    String => |v| Value::String(StringValue::from(v.clone())),
    Cow<'_, str> => |v| Value::String(StringValue::from(v.clone().into_owned())),
}

/// OpenTelemetry integers are signed: an unsigned value past `i64::MAX` keeps its digits as a
/// string rather than wrapping to a negative number.
#[inline]
fn unsigned(v: u64) -> Value {
    match i64::try_from(v) {
        Ok(v) => Value::I64(v),
        Err(_) => unsigned_text(v),
    }
}

#[cold]
#[inline(never)]
fn unsigned_text(v: u64) -> Value {
    Value::String(v.to_string().into())
}

impl<T: AttributeValue + ?Sized> AttributeValue for &T {
    #[inline]
    fn attribute_value(&self) -> Value {
        (**self).attribute_value()
    }
}

impl<T: FieldValue + ?Sized> FieldValue for &T {
    #[inline]
    fn field_value(&self) -> Option<Value> {
        (**self).field_value()
    }
}

impl<T: FieldValue + ?Sized> FieldValue for &mut T {
    #[inline]
    fn field_value(&self) -> Option<Value> {
        (**self).field_value()
    }
}

impl<T: FieldValue> FieldValue for Option<T> {
    #[inline]
    fn field_value(&self) -> Option<Value> {
        self.as_ref().and_then(FieldValue::field_value)
    }
}

/// `attributes(key = %expr)` of a metric: the `Display` text.
pub fn display_value(value: &(impl Display + ?Sized)) -> Value {
    Value::String(value.to_string().into())
}

/// `attributes(key = ?expr)` of a metric: the `Debug` text.
pub fn debug_value(value: &(impl Debug + ?Sized)) -> Value {
    Value::String(format!("{value:?}").into())
}

/// `fields(key = %expr)`: the `Display` text.
pub fn display(value: &(impl Display + ?Sized)) -> Option<Value> {
    Some(Value::String(value.to_string().into()))
}

/// `fields(key = ?expr)`: the `Debug` text.
pub fn debug(value: &(impl Debug + ?Sized)) -> Option<Value> {
    Some(Value::String(format!("{value:?}").into()))
}

/// A value's description for a span status: its `Display` text when it has one, else its
/// `Debug` text, else its type name. Chosen at compile time like [`Native`]: call
/// `(&&&Described(&value)).describe()`; the receiver's three references meet `Display` first,
/// `Debug` after one dereference, and the type name after two.
#[derive(Debug)]
pub struct Described<'a, T: ?Sized>(pub &'a T);

/// `Display` wins.
pub trait DescribeDisplay {
    /// The description.
    fn describe(&self) -> String;
}
/// Then `Debug`.
pub trait DescribeDebug {
    /// The description.
    fn describe(&self) -> String;
}
/// Then the type's name.
pub trait DescribeName {
    /// The description.
    fn describe(&self) -> String;
}

impl<T: Display + ?Sized> DescribeDisplay for &&Described<'_, T> {
    fn describe(&self) -> String {
        self.0.to_string()
    }
}
impl<T: Debug + ?Sized> DescribeDebug for &Described<'_, T> {
    fn describe(&self) -> String {
        format!("{:?}", self.0)
    }
}
impl<T: ?Sized> DescribeName for Described<'_, T> {
    fn describe(&self) -> String {
        std::any::type_name::<T>().to_owned()
    }
}

/// `ret`: the returned value as an attribute: native when it can be, else its `Debug` text,
/// else nothing. Call `(&&&Recorded(&value)).return_value()`.
pub trait ReturnNative {
    /// The attribute value.
    fn return_value(&self) -> Option<Value>;
}
/// See [`ReturnNative`].
pub trait ReturnDebug {
    /// The attribute value.
    fn return_value(&self) -> Option<Value>;
}
/// See [`ReturnNative`].
pub trait ReturnNothing {
    /// Nothing.
    fn return_value(&self) -> Option<Value> {
        None
    }
}

impl<T: ?Sized> ReturnNative for &&Recorded<'_, T>
where
    for<'b> Recorded<'b, T>: Native,
{
    fn return_value(&self) -> Option<Value> {
        Recorded(self.0).value()
    }
}
impl<T: Debug + ?Sized> ReturnDebug for &Recorded<'_, T> {
    fn return_value(&self) -> Option<Value> {
        debug(self.0)
    }
}
impl<T: ?Sized> ReturnNothing for Recorded<'_, T> {}
