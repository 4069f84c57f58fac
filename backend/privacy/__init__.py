"""Personal-information rights (个人信息保护法): a person's data export and account deletion,
and the record of those requests that admins see."""
