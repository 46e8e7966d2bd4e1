-- A recount of one month (`signet statistics recount --month`) reads that month's rows only
-- (issue 10: a month over 8.5 million documents in < 30 s): documents by the date that
-- puts them in a month, verdicts by their month.
CREATE INDEX documents_issued_on ON documents (direction, issued_on);
CREATE INDEX documents_arrived_on ON documents (direction, arrived_on);
CREATE INDEX signature_verdicts_month ON signature_verdicts (month);
