"""The contract's pages, one module per part: the list and public register
(``register``), the contract page and document (``contract``), drafting, signing,
amendments and termination (``drafting``), the work on a milestone (``work``), payments
and the journal (``money``), evaluation, final report and closing (``closing``), and
the beneficiary's page (``confirm``). ``access`` finds the objects and says whom a page
lets in."""
