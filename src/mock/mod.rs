//! The reference mock of the Microsoft Graph trustFramework keySets API.
