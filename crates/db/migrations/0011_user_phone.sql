-- A work telephone number for each user, shown to those allowed to reach
-- them (an officer's look-up of a participant names the case manager and
-- their phone). Optional; set where users are administered.
ALTER TABLE users ADD COLUMN phone TEXT;
