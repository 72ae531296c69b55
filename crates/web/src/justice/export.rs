//! The evaluation dataset and the HMIS export from a site's data.
